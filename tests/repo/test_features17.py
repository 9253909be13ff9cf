"""Conventions §17.12 for defines_features: a preprocessing step fitted on the training data (a vectoriser,
encoder, scaler, imputer, ColumnTransformer, a Keras Tokenizer) that training saves inside the model pipeline
or beside it, and that the prediction path loads and applies to raw inputs, is the one definition of the
model's inputs. Each passing shape is written twice, differently (one file or split across modules, another
library of the same kind); the near misses are the ones the convention names."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail
PRESENT = (PASS, PARTIAL)

# --- a fitted pipeline with its transformers, saved whole and applied by the service -------------

PIPELINE_TRAINING = """\
import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["tenure", "monthly_charges"]
CATEGORICAL = ["contract", "payment_method"]


def fit_churn_model(frame: pd.DataFrame) -> Pipeline:
    columns = ColumnTransformer([("num", StandardScaler(), NUMERIC), ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])
    model = Pipeline([("prepare", columns), ("classify", GradientBoostingClassifier())])
    model.fit(frame[NUMERIC + CATEGORICAL], frame["churned"])
    return model


if __name__ == "__main__":
    joblib.dump(fit_churn_model(pd.read_csv("data/customers.csv")), "artifacts/churn_pipeline.joblib")
"""
PIPELINE_SERVICE = """\
import joblib
import pandas as pd
from fastapi import FastAPI

app = FastAPI()
pipeline = joblib.load("artifacts/churn_pipeline.joblib")


@app.post("/churn")
def churn(customer: dict):
    return {"risk": float(pipeline.predict_proba(pd.DataFrame([customer]))[0, 1])}
"""


def test_a_fitted_pipeline_of_transformers_saved_by_training_and_applied_by_the_service_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"training/fit_model.py": PIPELINE_TRAINING, "service/app.py": PIPELINE_SERVICE})
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "training/fit_model.py" in message and "service/app.py" in message


# Written differently: a text vectoriser inside a make_pipeline, logged with MLflow's sklearn flavour, the
# service in another module loading it through MLflow's pyfunc loader (the same artefact, another API).
MLFLOW_TRAINING = """\
import mlflow
import mlflow.sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def run(texts, labels):
    with mlflow.start_run():
        clf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2), LogisticRegression(max_iter=500))
        clf.fit(texts, labels)
        mlflow.sklearn.log_model(clf, "sentiment")
"""
MLFLOW_LOADER = """\
import mlflow.pyfunc

SENTIMENT_URI = "models:/sentiment/Production"


def sentiment_model():
    return mlflow.pyfunc.load_model(SENTIMENT_URI)
"""
MLFLOW_ROUTES = """\
from flask import Flask, jsonify, request

from api.loading import sentiment_model

server = Flask(__name__)
MODEL = sentiment_model()


@server.route("/score", methods=["POST"])
def score():
    return jsonify(labels=MODEL.predict(request.json["texts"]).tolist())
"""


def test_a_vectoriser_pipeline_logged_with_mlflow_and_loaded_by_a_helper_of_the_api_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"jobs/sentiment_training.py": MLFLOW_TRAINING, "api/loading.py": MLFLOW_LOADER, "api/server.py": MLFLOW_ROUTES})
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "jobs/sentiment_training.py" in message


# --- a fitted transformer saved beside the model and applied before it -------------------------

BESIDE_TRAINING = """\
import pickle

import xgboost as xgb
from sklearn.feature_extraction import DictVectorizer


def train(records, target):
    dv = DictVectorizer()
    X = dv.fit_transform(records)
    booster = xgb.train({"max_depth": 6}, xgb.DMatrix(X, label=target))
    booster.save_model("model/booster.json")
    with open("model/preprocessor.b", "wb") as out:
        pickle.dump(dv, out)
"""
BESIDE_LOADER = """\
import pickle


def load_preprocessor(path="model/preprocessor.b"):
    with open(path, "rb") as source:
        return pickle.load(source)
"""
BESIDE_SCORING = """\
import xgboost as xgb

from deployment.artifacts import load_preprocessor

dv = load_preprocessor()
booster = xgb.Booster()
booster.load_model("model/booster.json")


def predict_duration(ride: dict) -> float:
    features = dv.transform([ride])
    return float(booster.predict(xgb.DMatrix(features))[0])
"""


def test_an_encoder_pickled_beside_the_model_and_applied_by_the_scoring_module_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"pipeline/training_flow.py": BESIDE_TRAINING, "deployment/artifacts.py": BESIDE_LOADER, "deployment/predict_service.py": BESIDE_SCORING})
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "pipeline/training_flow.py" in message


# Written differently: a Keras Tokenizer fitted on the team's corpus, saved with joblib next to the network,
# loaded by a batch-scoring script that applies it before the network predicts.
TOKENIZER_TRAINING = """\
import joblib
from tensorflow.keras.layers import LSTM, Dense, Embedding
from tensorflow.keras.models import Sequential
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer


def build(corpus, labels):
    tok = Tokenizer(num_words=20000, oov_token="<unk>")
    tok.fit_on_texts(corpus)
    net = Sequential([Embedding(20000, 64), LSTM(32), Dense(1, activation="sigmoid")])
    net.fit(pad_sequences(tok.texts_to_sequences(corpus), maxlen=200), labels, epochs=3)
    net.save("outputs/net.keras")
    joblib.dump(tok, "outputs/tokenizer.joblib")
"""
TOKENIZER_SCORING = """\
import joblib
import pandas as pd
from tensorflow.keras.models import load_model
from tensorflow.keras.preprocessing.sequence import pad_sequences

tok = joblib.load("outputs/tokenizer.joblib")
net = load_model("outputs/net.keras")


def score_file(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame["toxic"] = net.predict(pad_sequences(tok.texts_to_sequences(frame["comment"]), maxlen=200)).ravel()
    return frame
"""


def test_a_tokenizer_fitted_on_the_corpus_saved_beside_the_network_and_applied_by_batch_scoring_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/model_building.py": TOKENIZER_TRAINING, "src/batch_scoring.py": TOKENIZER_SCORING})
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "src/batch_scoring.py" in message


# --- near misses ----------------------------------------------------------------------------

REFITTING_SERVICE = """\
import joblib
import pandas as pd
from fastapi import FastAPI
from sklearn.feature_extraction.text import TfidfVectorizer

app = FastAPI()
model = joblib.load("models/classifier.joblib")
vectorizer = TfidfVectorizer()
vectorizer.fit(pd.read_csv("data/train.csv")["text"])


@app.post("/predict")
def predict(text: str):
    return {"label": int(model.predict(vectorizer.transform([text]))[0])}
"""
CLASSIFIER_TRAINING = """\
import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC


def main():
    frame = pd.read_csv("data/train.csv")
    vectorizer = TfidfVectorizer()
    X = vectorizer.fit_transform(frame["text"])
    joblib.dump(LinearSVC().fit(X, frame["label"]), "models/classifier.joblib")
"""


def test_a_vectoriser_fitted_again_inside_the_service_is_a_second_copy_not_one_definition(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"train.py": CLASSIFIER_TRAINING, "app/main.py": REFITTING_SERVICE})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_a_pipeline_fitted_and_saved_where_no_prediction_path_loads_anything_defines_nothing(tmp_path: Path) -> None:
    compare = PIPELINE_TRAINING.replace("artifacts/churn_pipeline.joblib", "reports/candidate.joblib")
    outcome, _ = _outcome(_tree(tmp_path, {"evaluation/compare_models.py": compare, "README.md": "# churn\n"}), "defines_features")
    assert outcome is FAIL


LABELS_ONLY_TRAINING = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import LabelEncoder


def main():
    frame = pd.read_csv("data/flowers.csv")
    labels = LabelEncoder().fit_transform(frame.pop("species"))
    joblib.dump(RandomForestClassifier().fit(frame, labels), "models/forest.joblib")
"""
FOREST_SERVICE = """\
import joblib
from fastapi import FastAPI

app = FastAPI()
forest = joblib.load("models/forest.joblib")


@app.post("/predict")
def predict(row: list[float]):
    return {"class": int(forest.predict([row])[0])}
"""


def test_an_encoder_of_the_target_labels_is_no_transformer_of_the_models_inputs(tmp_path: Path) -> None:
    # scikit-learn's user guide puts LabelEncoder under 'Transforming the prediction target (y)'.
    root = _tree(tmp_path, {"train.py": LABELS_ONLY_TRAINING, "app.py": FOREST_SERVICE})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


PRETRAINED_TRAINING = """\
from datasets import load_dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased")
model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=2)
data = load_dataset("imdb").map(lambda batch: tokenizer(batch["text"], truncation=True), batched=True)
Trainer(model=model, args=TrainingArguments("out"), train_dataset=data["train"]).train()
model.save_pretrained("out/final")
tokenizer.save_pretrained("out/final")
"""
PRETRAINED_SERVICE = """\
from fastapi import FastAPI
from transformers import AutoModelForSequenceClassification, AutoTokenizer

app = FastAPI()
tokenizer = AutoTokenizer.from_pretrained("out/final")
model = AutoModelForSequenceClassification.from_pretrained("out/final")


@app.post("/predict")
def predict(text: str):
    return {"logits": model(**tokenizer(text, return_tensors="pt")).logits.tolist()}
"""


def test_a_pretrained_models_own_tokenizer_is_the_providers_input_encoding_not_a_feature_definition(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"train.py": PRETRAINED_TRAINING, "serve/app.py": PRETRAINED_SERVICE})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


SCALED_TRAINING = """\
import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.preprocessing import StandardScaler


def main():
    frame = pd.read_csv("data/churn.csv")
    scaler = StandardScaler()
    X = scaler.fit_transform(frame.drop(columns="churn"))
    model = GradientBoostingClassifier().fit(X, frame["churn"])
    joblib.dump(model, "models/gbm.joblib")
"""
GBM_SERVICE = FOREST_SERVICE.replace("models/forest.joblib", "models/gbm.joblib")


def test_a_scaler_fitted_in_training_but_not_saved_with_the_model_is_no_definition_the_service_uses(tmp_path: Path) -> None:
    # The dump holds the classifier alone (fitted on the scaled array): nothing of the scaler reaches the service.
    root = _tree(tmp_path, {"train.py": SCALED_TRAINING, "app.py": GBM_SERVICE})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_the_same_scaler_saved_in_a_bundle_with_the_model_is_the_definition_the_service_loads(tmp_path: Path) -> None:
    bundled = SCALED_TRAINING.replace('joblib.dump(model, "models/gbm.joblib")', 'joblib.dump({"scaler": scaler, "model": model}, "models/gbm.joblib")')
    root = _tree(tmp_path, {"train.py": bundled, "app.py": GBM_SERVICE})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "gbm.joblib" in message


# --- the transformer known by the method that fits it; a model class that saves and restores itself ----

PARAMETER_PREPARATION = """\
import pickle


def keep(obj, where):
    with open(where, "wb") as sink:
        pickle.dump(obj, sink)


def prepare(frame, column_trans):
    matrix = column_trans.fit_transform(frame.drop(columns=["price"]))
    keep({"columns": column_trans, "target": "price"}, "working/preprocessor.pickle")
    return matrix
"""
PARAMETER_SERVICE = """\
import pickle

import pandas as pd
from flask import Flask, request

app = Flask(__name__)
with open("working/preprocessor.pickle", "rb") as source:
    PREP = pickle.load(source)
with open("working/mlp.pickle", "rb") as source:
    MLP = pickle.load(source)


@app.post("/price")
def price():
    rows = PREP["columns"].transform(pd.DataFrame([request.json]))
    return {"price": float(MLP.predict(rows)[0])}
"""


def test_a_transformer_fitted_through_a_parameter_and_kept_by_a_saving_helper_is_the_one_the_service_loads(tmp_path: Path) -> None:
    # `fit_transform` is the transformer API's own method (scikit-learn's TransformerMixin): whatever built
    # `column_trans`, the object it is called on is a fitted transformer.
    root = _tree(tmp_path, {"dags/preparation.py": PARAMETER_PREPARATION, "app.py": PARAMETER_SERVICE})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "preprocessor.pickle" in message


def test_a_saving_helper_that_keeps_only_the_transformed_matrix_saves_no_transformer(tmp_path: Path) -> None:
    matrix_only = PARAMETER_PREPARATION.replace('keep({"columns": column_trans, "target": "price"}, ', "keep(matrix, ")
    root = _tree(tmp_path, {"dags/preparation.py": matrix_only, "app.py": PARAMETER_SERVICE})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


MODEL_CLASS = """\
import joblib
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline


class TicketClassifier:
    def fit(self, texts, labels):
        steps = Pipeline([("counts", CountVectorizer()), ("tfidf", TfidfTransformer()), ("clf", LogisticRegression())])
        self.search = GridSearchCV(steps, {"clf__C": [0.1, 1.0]}, cv=3)
        self.search.fit(texts, labels)

    def export(self, target):
        joblib.dump(self.search, target)

    def restore(self, source):
        self.search = joblib.load(source)
"""
MODEL_CLASS_ROUTES = """\
from fastapi import APIRouter

from app.classifier import TicketClassifier

router = APIRouter()
classifier = TicketClassifier()
classifier.restore("models/tickets.joblib")


@router.post("/route-ticket")
def route_ticket(text: str):
    return {"queue": classifier.search.predict([text])[0]}
"""


def test_a_model_class_whose_fit_saves_the_pipeline_and_whose_restore_the_service_calls_defines_the_features(tmp_path: Path) -> None:
    # The class in the app folder both fits (training calls it) and restores: one definition, both paths.
    trainer = "from app.classifier import TicketClassifier\n\nmodel = TicketClassifier()\nmodel.fit(load_texts(), load_labels())\nmodel.export('models/tickets.joblib')\n"
    root = _tree(tmp_path, {"app/classifier.py": MODEL_CLASS, "app/routes.py": MODEL_CLASS_ROUTES, "scripts/train.py": trainer})
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "app/classifier.py" in message and "app/routes.py" in message
