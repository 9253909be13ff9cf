"""Session 15 (fail22) monitors_model rules (conventions §12), each stated as what flows where:

- scheduled evaluation under every trigger the collector knows: what a schedule runs (an Airflow DAG, a
  cron table, a Kubernetes CronJob, a scheduled workflow; the file itself or a project module it
  imports) loads the trained model, predicts and computes a quality statistic of the predictions, and
  trains nothing: the served model's quality is measured while the system runs (partial: operational);
- prediction logging from any handler: a route, a Streamlit page, a graph node, a consumer or a job
  writes what the model or chain returned to a store through a database client or ORM (partial).

Two pass fixtures each, written differently, and the near misses: evaluation inside training, an
evaluation script nothing runs, a handler storing only what the user sent."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail

# --- scheduled evaluation ------------------------------------------------------------------------------

WEEKLY_DAG = """\
from datetime import datetime

from airflow.decorators import dag, task

from quality.scoring import grade_current_model


@dag(schedule="@weekly", start_date=datetime(2024, 1, 1), catchup=False)
def grade_model():
    @task
    def grade() -> dict:
        return grade_current_model("warehouse/labelled_last_week.parquet")

    grade()


grade_model()
"""

GRADING_MODULE = """\
import joblib
import pandas as pd
from sklearn.metrics import f1_score, precision_score


def grade_current_model(path: str) -> dict:
    frame = pd.read_parquet(path)
    model = joblib.load("artifacts/production.joblib")
    predicted = model.predict(frame.drop(columns=["churned"]))
    return {"f1": f1_score(frame["churned"], predicted), "precision": precision_score(frame["churned"], predicted)}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-backtest
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: backtest
              image: registry.example.com/demand:latest
              command: ["python", "jobs/backtest_live.py"]
          restartPolicy: OnFailure
"""

BACKTEST_SCRIPT = """\
import mlflow.pyfunc
import pandas as pd
from sklearn.metrics import mean_absolute_error


def main() -> None:
    served = mlflow.pyfunc.load_model("models:/demand/Production")
    actuals = pd.read_sql("select * from demand_actuals where day = current_date - 1", "postgresql://db/demand")
    forecast = served.predict(actuals[["hour", "temperature"]])
    error = mean_absolute_error(actuals["load"], forecast)
    print({"mae": error})


if __name__ == "__main__":
    main()
"""


def test_a_scheduled_dag_grading_the_saved_model_on_new_labels_is_monitoring(tmp_path: Path) -> None:
    files = {"dags/grade_model.py": WEEKLY_DAG, "quality/__init__.py": "", "quality/scoring.py": GRADING_MODULE}
    assert _outcome(_tree(tmp_path, files), "monitors_model")[0] is PARTIAL


def test_a_kubernetes_cronjob_scoring_the_production_model_against_actuals_is_monitoring(tmp_path: Path) -> None:
    files = {"deploy/backtest-cronjob.yaml": CRONJOB, "jobs/backtest_live.py": BACKTEST_SCRIPT}
    assert _outcome(_tree(tmp_path, files), "monitors_model")[0] is PARTIAL


def test_a_scheduled_job_that_trains_and_scores_its_own_model_is_training(tmp_path: Path) -> None:
    trains = GRADING_MODULE.replace('model = joblib.load("artifacts/production.joblib")', "model = make_model()\n    model.fit(frame, frame['churned'])")
    files = {"dags/grade_model.py": WEEKLY_DAG, "quality/__init__.py": "", "quality/scoring.py": trains}
    assert _outcome(_tree(tmp_path, files), "monitors_model")[0] is FAIL


def test_an_evaluation_script_nothing_schedules_is_not_monitoring(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"jobs/backtest_live.py": BACKTEST_SCRIPT}), "monitors_model")[0] is FAIL


# --- prediction logging from any handler -----------------------------------------------------------------

STREAMLIT_PAGE = """\
import streamlit as st
from pymongo import MongoClient

from assistant.chain import build_chain

chain = build_chain()
history = MongoClient("mongodb://mongo:27017")["assistant"]["exchanges"]

question = st.text_input("Ask about your policy")
if question:
    reply = chain.invoke({"question": question})
    history.insert_one({"question": question, "reply": reply})
    st.write(reply)
"""

ORM_ROUTE_MODELS = """\
from sqlalchemy import Column, Float, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class ScoreRecord(Base):
    __tablename__ = "score_records"
    id = Column(Integer, primary_key=True)
    applicant = Column(String)
    risk = Column(Float)
"""

ORM_ROUTE = """\
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.db import get_session
from app.records import ScoreRecord
from app.scorer import risk_engine

router = APIRouter()


@router.post("/assess")
def assess(payload: dict, session: Session = Depends(get_session)) -> dict:
    risk = risk_engine.assess_applicant(payload)
    session.add(ScoreRecord(applicant=payload["name"], risk=risk))
    session.commit()
    return {"risk": risk}
"""

SCORER = """\
import joblib


class RiskEngine:
    def __init__(self) -> None:
        self.model = joblib.load("models/risk.joblib")

    def assess_applicant(self, payload: dict) -> float:
        return float(self.model.predict_proba([[payload["income"], payload["age"]]])[0][1])


risk_engine = RiskEngine()
"""


def test_a_streamlit_page_storing_every_answer_in_a_database_logs_predictions(tmp_path: Path) -> None:
    files = {"ui/app.py": STREAMLIT_PAGE, "assistant/__init__.py": "", "assistant/chain.py": "def build_chain():\n    return None\n"}
    outcome, message = _outcome(_tree(tmp_path, files), "monitors_model")
    assert outcome is PARTIAL and "prediction" in message


def test_a_route_adding_an_orm_row_with_the_score_logs_predictions(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "", "app/records.py": ORM_ROUTE_MODELS, "app/routes.py": ORM_ROUTE, "app/scorer.py": SCORER,
        "app/db.py": "def get_session():\n    yield None\n",
    }
    outcome, message = _outcome(_tree(tmp_path, files), "monitors_model")
    assert outcome is PARTIAL and "prediction" in message


def test_a_handler_storing_only_what_the_user_sent_logs_no_prediction(tmp_path: Path) -> None:
    only_question = STREAMLIT_PAGE.replace('history.insert_one({"question": question, "reply": reply})', 'history.insert_one({"question": question})')
    files = {"ui/app.py": only_question, "assistant/__init__.py": "", "assistant/chain.py": "def build_chain():\n    return None\n"}
    assert _outcome(_tree(tmp_path / "page", files), "monitors_model")[0] is FAIL
    signup = ORM_ROUTE.replace("risk = risk_engine.assess_applicant(payload)", "risk = 0.0")
    files = {
        "app/__init__.py": "", "app/records.py": ORM_ROUTE_MODELS, "app/routes.py": signup, "app/scorer.py": SCORER,
        "app/db.py": "def get_session():\n    yield None\n",
    }
    assert _outcome(_tree(tmp_path / "route", files), "monitors_model")[0] is FAIL


# --- in-process schedulers: the job is judged by what it computes, not by its name --------------------

APSCHEDULER_JOB = """\
import joblib
import pandas as pd
from apscheduler.schedulers.background import BackgroundScheduler
from sklearn.metrics import recall_score

scheduler = BackgroundScheduler()


def nightly_pass() -> None:
    model = joblib.load("models/current.joblib")
    recent = pd.read_sql("select * from labelled_claims", "postgresql://db/claims")
    flagged = model.predict(recent.drop(columns=["fraud"]))
    print(recall_score(recent["fraud"], flagged))


scheduler.add_job(nightly_pass, "cron", hour=2)
scheduler.start()
"""

SCHEDULE_JOB = """\
import time

import schedule
import torch
from sklearn.metrics import mean_absolute_error

from forecast.data import yesterday


def refresh() -> None:
    net = torch.load("weights/live.pt")
    frame = yesterday()
    print(mean_absolute_error(frame["load"], net.predict(frame)))


schedule.every().day.at("06:00").do(refresh)
while True:
    schedule.run_pending()
    time.sleep(60)
"""


def test_an_in_process_job_grading_the_model_whatever_its_name_is_monitoring(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "aps", {"service/jobs.py": APSCHEDULER_JOB}), "monitors_model")[0] is PARTIAL
    assert _outcome(_tree(tmp_path / "sched", {"runner/daily.py": SCHEDULE_JOB}), "monitors_model")[0] is PARTIAL


def test_an_in_process_job_that_grades_nothing_is_not_monitoring(tmp_path: Path) -> None:
    cleanup = APSCHEDULER_JOB.replace("    print(recall_score(recent[\"fraud\"], flagged))\n", "    recent.to_csv('archive.csv')\n")
    assert _outcome(_tree(tmp_path, {"service/jobs.py": cleanup}), "monitors_model")[0] is FAIL
