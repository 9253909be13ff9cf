"""monitors_model rule `stored outputs read back` (session 18, conventions §12, §16.11, 17.8): the
system writes its model's outputs to a store where it produces them, and another function of the
repository reads that store back to judge the model. A reader computing a quality metric over the
records passes; one aggregating them (counts, group-bys) is partial; one that only lists them (a
user's chat history, §16.11's product records) is nothing. The stores differ per fixture (an ORM class
across modules, a MongoDB collection, SQL through a DB-API cursor, Django), as do the names."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail

# An ORM row written by a helper the predicting route calls; a skill job in another package reads the
# class back and scores the stored forecasts against the observations that arrived.
ORM_FORECASTS = {
    "service/db.py": """\
from sqlalchemy.orm import Session
from service.tables import Forecast, engine


def save_forecast(site: str, value: float) -> None:
    with Session(engine) as session:
        session.add(Forecast(site=site, value=value))
        session.commit()
""",
    "service/api.py": """\
from fastapi import FastAPI
from service.db import save_forecast
from service.model import regressor

app = FastAPI()


@app.get("/forecast/{site}")
def forecast(site: str):
    value = float(regressor.predict([[len(site)]])[0])
    save_forecast(site, value)
    return {"site": site, "forecast": value}
""",
    "jobs/skill.py": """\
from sklearn.metrics import mean_absolute_error
from sqlalchemy.orm import Session
from service.tables import Forecast, Observation, engine


def nightly_skill():
    with Session(engine) as s:
        rows = s.query(Forecast).all()
        truth = {o.site: o.value for o in s.query(Observation).all()}
    pairs = [(truth[r.site], r.value) for r in rows if r.site in truth]
    return mean_absolute_error([a for a, _ in pairs], [p for _, p in pairs])
""",
}

# A batch scorer inserts its scored documents into a MongoDB collection; a monitoring script elsewhere
# reads the same collection and measures accuracy once the repayment outcomes are known.
MONGO_SCORES = {
    "scoring/run_batch.py": """\
import pymongo

client = pymongo.MongoClient()


def score_applications(clf, frame):
    frame["default_probability"] = clf.predict_proba(frame)[:, 1]
    client.lending["scored_applications"].insert_many(frame.to_dict("records"))
""",
    "monitor/quality.py": """\
import pymongo
from sklearn.metrics import accuracy_score

client = pymongo.MongoClient()


def weekly_accuracy():
    scored = client.lending["scored_applications"]
    docs = list(scored.find({"outcome": {"$exists": True}}))
    return accuracy_score([d["outcome"] for d in docs], [d["default_probability"] > 0.5 for d in docs])
""",
}

# An LLM answer stored with plain SQL; an admin route counts the stored answers per user rating.
SQL_ANSWERS = {
    "bot/answer.py": """\
import sqlite3
from openai import OpenAI

llm = OpenAI()
conn = sqlite3.connect("bot.db")


def answer(question: str) -> str:
    reply = llm.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    text = reply.choices[0].message.content
    conn.execute("INSERT INTO replies (question, reply, rating) VALUES (?, ?, NULL)", (question, text))
    conn.commit()
    return text
""",
    "bot/admin.py": """\
import sqlite3
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/admin/ratings")
def ratings():
    conn = sqlite3.connect("bot.db")
    rows = conn.execute("SELECT rating, COUNT(*) FROM replies GROUP BY rating").fetchall()
    return jsonify(dict(rows))
""",
}

# Django: the predicted label saved as a model row; a report view annotates counts per label.
DJANGO_LABELS = {
    "triage/views.py": """\
from triage.models import Ticket
from triage.classifier import pipeline


def classify_ticket(request):
    label = pipeline.predict([request.POST["body"]])[0]
    Ticket.objects.create(body=request.POST["body"], label=label)
""",
    "reports/views.py": """\
from django.db.models import Count
from triage.models import Ticket


def label_mix(request):
    return list(Ticket.objects.values("label").annotate(n=Count("id")))
""",
}


def test_stored_predictions_a_job_scores_against_outcomes_pass(tmp_path: Path) -> None:
    for name, files in {"orm": ORM_FORECASTS, "mongo": MONGO_SCORES}.items():
        outcome, message = _outcome(_tree(tmp_path / name, files), "monitors_model")
        assert outcome is PASS and "stored outputs" in message, (name, message)


def test_stored_outputs_a_reader_aggregates_are_partial(tmp_path: Path) -> None:
    for name, files in {"sql": SQL_ANSWERS, "django": DJANGO_LABELS}.items():
        outcome, message = _outcome(_tree(tmp_path / name, files), "monitors_model")
        assert outcome is PARTIAL and "aggregating the model outputs" in message, (name, message)


def test_chat_history_listed_back_to_its_user_is_a_product_record(tmp_path: Path) -> None:
    # §16.11: the answers are stored and read back, but only listed for the same user - nothing judged.
    files = {
        "chat/store.py": """\
from motor.motor_asyncio import AsyncIOMotorClient

db = AsyncIOMotorClient().assistant


async def remember(user: str, text: str) -> None:
    await db["conversations"].insert_one({"user": user, "text": text})


async def history(user: str):
    return await db["conversations"].find({"user": user}).to_list(length=50)
""",
        "chat/routes.py": """\
from fastapi import FastAPI
from chat.store import history, remember
from chat.chain import chain

app = FastAPI()


@app.post("/ask")
async def ask(user: str, q: str):
    text = await chain.ainvoke(q)
    await remember(user, text)
    return {"answer": text}


@app.get("/history/{user}")
async def past(user: str):
    return await history(user)
""",
    }
    assert _outcome(_tree(tmp_path / "chat", files), "monitors_model")[0] is FAIL


def test_a_store_nothing_predicting_writes_is_not_model_output(tmp_path: Path) -> None:
    # The collection a metric is computed over is filled by annotators through a form handler that
    # calls no model: agreement between people, not the model's quality.
    files = {
        "annotate/form.py": """\
from pymongo import MongoClient

labels = MongoClient().studio.get_collection("gold_labels")


def submit(item_id: str, annotator: str, label: int) -> None:
    labels.insert_one({"item": item_id, "annotator": annotator, "label": label})
""",
        "annotate/report.py": """\
from pymongo import MongoClient
from sklearn.metrics import cohen_kappa_score, f1_score

labels = MongoClient().studio.get_collection("gold_labels")


def agreement():
    docs = list(labels.find({}))
    first = [d["label"] for d in docs if d["annotator"] == "a"]
    second = [d["label"] for d in docs if d["annotator"] == "b"]
    return f1_score(first, second), cohen_kappa_score(first, second)
""",
    }
    assert _outcome(_tree(tmp_path / "labels", files), "monitors_model")[0] is FAIL
