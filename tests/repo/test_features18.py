"""Conventions 17.12 and 18.12 for defines_features: the fitted transformer training saves and the prediction path
loads is one definition of the model's inputs, **whatever project function does the saving and loading**. A team's
own persistence helper kept in another module (`save_object(path, obj)` over `dill.dump` in a utils module,
`write_artifact(obj, where)` over `joblib.dump` called as `artifact_io.write_artifact`) saves the transformer as
surely as a `joblib.dump` in the training file; its `load_object`/`read_artifact` twin loads it back on the
prediction path. Any path that predicts on new inputs counts, a hand-run predict script included (18.12); evaluation
that reloads the transformer for the test split does not, nor a prediction path that fits it again (17.12)."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, PARTIAL, FAIL = FindingOutcome.pass_, FindingOutcome.partial, FindingOutcome.fail
PRESENT = (PASS, PARTIAL)

# --- a preprocessing object saved through the project's utils helper, loaded back by the prediction pipeline ---

UTILS = """\
import os

import dill


def save_object(file_path: str, obj: object) -> None:
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    with open(file_path, "wb") as file_obj:
        dill.dump(obj, file_obj)


def load_object(file_path: str) -> object:
    with open(file_path, "rb") as file_obj:
        return dill.load(file_obj)
"""
TRANSFORMATION = """\
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from claims.utils.common import save_object

PREPROCESSOR_PATH = "artifacts/preprocessor.pkl"


class DataTransformation:
    def get_preprocessor(self) -> ColumnTransformer:
        numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
        return ColumnTransformer([("num", numeric, ["age", "premium"]), ("cat", OneHotEncoder(), ["region"])])

    def run(self, train: pd.DataFrame):
        preprocessor = self.get_preprocessor()
        features = preprocessor.fit_transform(train.drop(columns=["fraud"]))
        save_object(PREPROCESSOR_PATH, preprocessor)
        return features
"""
PREDICTION = """\
import pandas as pd

from claims.utils.common import load_object


class PredictionPipeline:
    def predict(self, record: dict):
        preprocessor = load_object("artifacts/preprocessor.pkl")
        model = load_object("artifacts/model.pkl")
        return model.predict(preprocessor.transform(pd.DataFrame([record])))
"""


def test_a_preprocessor_saved_through_a_utils_helper_and_loaded_by_the_prediction_pipeline_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "claims/__init__.py": "", "claims/utils/__init__.py": "", "claims/utils/common.py": UTILS,
        "claims/components/data_transformation.py": TRANSFORMATION, "claims/pipeline/prediction_pipeline.py": PREDICTION,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "claims/components/data_transformation.py" in message and "preprocessor.pkl" in message


# Near miss (17.12): the same helper saves the preprocessor, but the prediction pipeline fits a new one on the request.
REFITTING_PREDICTION = """\
import pandas as pd
from sklearn.preprocessing import StandardScaler

from claims.utils.common import load_object


class PredictionPipeline:
    def predict(self, record: dict):
        model = load_object("artifacts/model.pkl")
        frame = pd.DataFrame([record])
        return model.predict(StandardScaler().fit_transform(frame))
"""


def test_a_prediction_pipeline_that_fits_its_own_scaler_does_not_use_the_saved_one(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "claims/__init__.py": "", "claims/utils/__init__.py": "", "claims/utils/common.py": UTILS,
        "claims/components/data_transformation.py": TRANSFORMATION, "claims/pipeline/prediction_pipeline.py": REFITTING_PREDICTION,
    })
    assert _outcome(root, "defines_features")[0] is FAIL


# --- written differently: a model class keeps its vectoriser, saved and restored through another module's helpers
# called as module attributes; a predict script run by hand (18.12) restores the class and predicts on new texts ---

ARTIFACT_IO = """\
import joblib


def write_artifact(obj, destination):
    joblib.dump(obj, destination)


def read_artifact(source):
    return joblib.load(source)
"""
TAGGER = """\
from pathlib import Path

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

from tagger import artifact_io


class TopicTagger:
    def __init__(self):
        self.vocabulary = CountVectorizer(min_df=3, stop_words="english")
        self.classifier = MultinomialNB()

    def fit(self, texts, topics):
        self.classifier.fit(self.vocabulary.fit_transform(texts), topics)
        return self

    def save(self, folder: str) -> None:
        artifact_io.write_artifact(self.vocabulary, Path(folder) / "vocabulary.joblib")
        artifact_io.write_artifact(self.classifier, Path(folder) / "classifier.joblib")

    def load(self, folder: str) -> "TopicTagger":
        self.vocabulary = artifact_io.read_artifact(Path(folder) / "vocabulary.joblib")
        self.classifier = artifact_io.read_artifact(Path(folder) / "classifier.joblib")
        return self

    def predict(self, texts):
        return self.classifier.predict(self.vocabulary.transform(texts))
"""
INFER_SCRIPT = """\
import sys

from tagger.model import TopicTagger

if __name__ == "__main__":
    tagger = TopicTagger().load("models/tagger")
    for line in sys.stdin:
        print(tagger.predict([line.strip()])[0])
"""


def test_a_vectoriser_a_model_class_saves_through_another_modules_helper_and_a_hand_run_infer_script_loads_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "tagger/__init__.py": "", "tagger/artifact_io.py": ARTIFACT_IO, "tagger/model.py": TAGGER, "scripts/infer.py": INFER_SCRIPT,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "tagger/model.py" in message and "scripts/infer.py" in message


# Near miss (18.12): the same class reloaded only by an evaluation script for the test split is not a prediction path.
EVALUATE_SCRIPT = """\
import pandas as pd
from sklearn.metrics import f1_score

from tagger.model import TopicTagger

if __name__ == "__main__":
    test = pd.read_csv("data/test.csv")
    tagger = TopicTagger().load("models/tagger")
    print(f1_score(test["topic"], tagger.predict(test["text"]), average="macro"))
"""


def test_the_same_vectoriser_reloaded_only_to_evaluate_the_test_split_does_not_define_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "tagger/__init__.py": "", "tagger/artifact_io.py": ARTIFACT_IO, "tagger/model.py": TAGGER, "scripts/evaluate.py": EVALUATE_SCRIPT,
    })
    assert _outcome(root, "defines_features")[0] is FAIL


# --- a transformer known by its API: built by a factory in another module, fitted, then applied with `transform`
# (scikit-learn's transformer interface: `fit` learns from the training set, `transform` applies it to unseen data) ---

FACTORY = """\
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder, RobustScaler


def make_preprocessor(numeric, ordinal) -> Pipeline:
    return Pipeline([("columns", ColumnTransformer([("num", RobustScaler(), numeric), ("ord", OrdinalEncoder(), ordinal)]))])
"""
FITTING_STEP = """\
import pickle

from loans.features.factory import make_preprocessor


class PrepareStep:
    def _fit_preprocessor(self, train):
        prepared = make_preprocessor(["income", "amount"], ["grade"]).fit(train)
        return prepared, prepared.transform(train)

    def run(self, train, destination="store/prep.pickle"):
        prep, matrix = self._fit_preprocessor(train)
        with open(destination, "wb") as out:
            out.write(pickle.dumps(prep))
        return matrix
"""
BATCH_SCORING = """\
import pickle

import pandas as pd

with open("store/prep.pickle", "rb") as source:
    PREP = pickle.loads(source.read())
with open("store/model.pickle", "rb") as source:
    MODEL = pickle.loads(source.read())


def score_file(path):
    frame = pd.read_parquet(path)
    frame["default_risk"] = MODEL.predict_proba(PREP.transform(frame))[:, 1]
    return frame
"""


def test_a_preprocessor_from_a_factory_fitted_then_applied_and_pickled_as_bytes_is_loaded_by_batch_scoring(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "loans/__init__.py": "", "loans/features/__init__.py": "", "loans/features/factory.py": FACTORY,
        "loans/steps/prepare.py": FITTING_STEP, "loans/batch/score_applications.py": BATCH_SCORING,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "loans/steps/prepare.py" in message and "prep.pickle" in message


# Written differently: the team's own transformer class (not scikit-learn's), fitted in one statement and applied in
# another on the same name, kept with joblib through `self`; the service loads it from the artefact file.
OWN_TRANSFORMER_TRAINING = """\
import joblib

from shop.encoding import BasketEncoder


class Trainer:
    def __init__(self):
        self.encoder = BasketEncoder(top_k=500)

    def train(self, baskets, labels, model):
        self.encoder.fit(baskets)
        model.fit(self.encoder.transform(baskets), labels)
        joblib.dump({"encoder": self.encoder, "model": model}, "bundle/recommender.joblib")
"""
OWN_TRANSFORMER_SERVICE = """\
import joblib
from flask import Flask, request

app = Flask(__name__)
bundle = joblib.load("bundle/recommender.joblib")


@app.post("/recommend")
def recommend():
    return {"items": bundle["model"].predict(bundle["encoder"].transform([request.json["basket"]])).tolist()}
"""


def test_the_teams_own_encoder_fitted_and_applied_by_training_and_bundled_for_the_service_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "shop/__init__.py": "", "shop/encoding.py": "class BasketEncoder:\n    def fit(self, x):\n        return self\n",
        "shop/train.py": OWN_TRANSFORMER_TRAINING, "service/app.py": OWN_TRANSFORMER_SERVICE,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "shop/train.py" in message and "recommender.joblib" in message


# Near miss: the model is fitted and the data transformed by a fitted scaler, but only the model is saved (the
# scaler the service would need is not in what is loaded).
ONLY_MODEL_SAVED = """\
import joblib

from loans.features.factory import make_preprocessor


def train(frame, target, model):
    prep = make_preprocessor(["income", "amount"], ["grade"]).fit(frame)
    model.fit(prep.transform(frame), target)
    joblib.dump(model, "store/model.joblib")
"""
ONLY_MODEL_SERVICE = """\
import joblib
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("store/model.joblib")


@app.post("/score")
def score(features: list[float]):
    return {"risk": float(model.predict_proba([features])[0, 1])}
"""


def test_a_fitted_preprocessor_that_training_does_not_save_defines_nothing_the_service_loads(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "loans/__init__.py": "", "loans/features/__init__.py": "", "loans/features/factory.py": FACTORY,
        "loans/train.py": ONLY_MODEL_SAVED, "api/service.py": ONLY_MODEL_SERVICE,
    })
    assert _outcome(root, "defines_features")[0] is FAIL


# --- a demo page is a prediction path (18.12): a Streamlit or Gradio app that predicts on what its user types ---

VECTORISER_TRAINING = """\
import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC


def main(texts, labels):
    vectoriser = TfidfVectorizer(sublinear_tf=True)
    classifier = LinearSVC().fit(vectoriser.fit_transform(texts), labels)
    joblib.dump(vectoriser, "artefacts/tfidf.joblib")
    joblib.dump(classifier, "artefacts/svc.joblib")
"""
STREAMLIT_PAGE = """\
import joblib
import streamlit as st

vectoriser = joblib.load("artefacts/tfidf.joblib")
classifier = joblib.load("artefacts/svc.joblib")

text = st.text_area("Ticket text")
if st.button("Route"):
    st.write(classifier.predict(vectoriser.transform([text]))[0])
"""


def test_a_streamlit_page_applying_the_saved_vectoriser_to_typed_text_is_a_prediction_path(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"routing/fit_router.py": VECTORISER_TRAINING, "ui/ticket_router_page.py": STREAMLIT_PAGE})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "ui/ticket_router_page.py" in message and "tfidf.joblib" in message


# Written differently: a Gradio interface in a module of its own, loading the pickled scaler through a project helper.
SCALER_TRAINING = """\
import pickle

from sklearn.linear_model import Ridge
from sklearn.preprocessing import MinMaxScaler


def fit(frame, target):
    scaler = MinMaxScaler().fit(frame)
    model = Ridge().fit(scaler.transform(frame), target)
    with open("weights/scaler.pkl", "wb") as out:
        pickle.dump(scaler, out)
    with open("weights/ridge.pkl", "wb") as out:
        pickle.dump(model, out)
"""
STORE = """\
import pickle


def restore(name):
    with open(f"weights/{name}", "rb") as source:
        return pickle.load(source)
"""
GRADIO_UI = """\
import gradio as gr

from housing.store import restore

scaler, model = restore("scaler.pkl"), restore("ridge.pkl")


def estimate(rooms, area, age):
    return float(model.predict(scaler.transform([[rooms, area, age]]))[0])


gr.Interface(fn=estimate, inputs=["number", "number", "number"], outputs="number").launch()
"""


def test_a_gradio_interface_loading_the_saved_scaler_through_a_helper_is_a_prediction_path(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "housing/__init__.py": "", "housing/training.py": SCALER_TRAINING, "housing/store.py": STORE, "housing/estimator_ui.py": GRADIO_UI,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "housing/training.py" in message and "housing/estimator_ui.py" in message


# Near miss (17.12): the Streamlit page fits its own vectoriser on the texts it is given - a second copy.
REFITTING_PAGE = """\
import joblib
import streamlit as st
from sklearn.feature_extraction.text import TfidfVectorizer

classifier = joblib.load("artefacts/svc.joblib")
texts = st.text_area("Tickets").splitlines()
if texts:
    st.write(classifier.predict(TfidfVectorizer(sublinear_tf=True).fit_transform(texts)))
"""


def test_a_streamlit_page_that_fits_its_own_vectoriser_does_not_share_the_saved_one(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"routing/fit_router.py": VECTORISER_TRAINING, "ui/ticket_router_page.py": REFITTING_PAGE})
    assert _outcome(root, "defines_features")[0] is FAIL


# --- a transformer built by a project factory in another module, fitted inside the model pipeline and saved through
# a helper the package re-exports, the helper called with keywords ---

FACTORY_PREPROCESSING = """\
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_preprocessor(numeric, categorical):
    return ColumnTransformer([("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
"""
REGISTRY_INIT = "from .store import export_artifacts\n"
REGISTRY_STORE = """\
import joblib


def export_artifacts(model_pipeline, artifacts_dir):
    joblib.dump(model_pipeline, artifacts_dir / "bundle.joblib")
"""
PIPELINE_TRAIN = """\
from pathlib import Path

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from credit.features.preprocessing import build_preprocessor
from credit.registry import export_artifacts


def run(frame, target):
    pipe = Pipeline([("prep", build_preprocessor(["income"], ["region"])), ("clf", LogisticRegression())])
    pipe.fit(frame, target)
    export_artifacts(model_pipeline=pipe, artifacts_dir=Path("out"))
"""
BUNDLE_ROUTES = """\
import joblib
import pandas as pd
from fastapi import APIRouter

router = APIRouter()
bundle = joblib.load("out/bundle.joblib")


@router.post("/predict")
def predict(applicant: dict):
    return {"risk": float(bundle.predict_proba(pd.DataFrame([applicant]))[0, 1])}
"""


def test_a_preprocessor_factory_fitted_in_the_pipeline_and_saved_through_a_re_exported_helper_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "credit/__init__.py": "", "credit/features/__init__.py": "", "credit/features/preprocessing.py": FACTORY_PREPROCESSING,
        "credit/registry/__init__.py": REGISTRY_INIT, "credit/registry/store.py": REGISTRY_STORE,
        "credit/pipelines/train_pipeline.py": PIPELINE_TRAIN, "api/routes.py": BUNDLE_ROUTES,
    })
    outcome, message = _outcome(root, "defines_features")
    # the artefact's name is written in the helper's module, not the training file: the link is not shown (partial)
    assert outcome in PRESENT and "credit/pipelines/train_pipeline.py" in message and "build_preprocessor" in message


# Written differently: the factory called through its module, a FeatureUnion of vectorisers, logged with MLflow.
FEATURIZERS = """\
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion


def text_features():
    return FeatureUnion([("words", TfidfVectorizer()), ("chars", CountVectorizer(analyzer="char_wb", ngram_range=(2, 4)))])
"""
MLFLOW_FIT = """\
import mlflow.sklearn
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline

from reviews import featurizers


def fit_and_log(texts, stars):
    model = make_pipeline(featurizers.text_features(), SGDClassifier(loss="log_loss"))
    model.fit(texts, stars)
    mlflow.sklearn.log_model(model, "review-model")
"""
MLFLOW_SCORER = """\
import mlflow.pyfunc
import pandas as pd

model = mlflow.pyfunc.load_model("models:/review-model/Production")


def score_reviews(texts):
    return model.predict(pd.DataFrame({"text": texts}))
"""


def test_a_vectoriser_union_from_a_factory_module_logged_with_mlflow_and_loaded_by_the_scorer_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reviews/__init__.py": "", "reviews/featurizers.py": FEATURIZERS, "reviews/fitting.py": MLFLOW_FIT, "reviews/scorer.py": MLFLOW_SCORER,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "reviews/fitting.py" in message and "reviews/scorer.py" in message


# Near miss: the factory builds the classifier alone - there is no transformer of the inputs to share.
MODEL_FACTORY = """\
from sklearn.ensemble import RandomForestClassifier


def build_preprocessor(numeric, categorical):
    return RandomForestClassifier(n_estimators=300)
"""


def test_a_factory_of_the_classifier_alone_saved_and_loaded_defines_no_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "credit/__init__.py": "", "credit/features/__init__.py": "", "credit/features/preprocessing.py": MODEL_FACTORY,
        "credit/registry/__init__.py": REGISTRY_INIT, "credit/registry/store.py": REGISTRY_STORE,
        "credit/pipelines/train_pipeline.py": PIPELINE_TRAIN, "api/routes.py": BUNDLE_ROUTES,
    })
    assert _outcome(root, "defines_features")[0] is FAIL


# --- the src layout (Python Packaging User Guide): the package lives under `src/` and the service imports it by its
# package name, as it is installed (`pip install -e .`), not by a path from the service's folder ---

SRC_MODEL = """\
import joblib
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.preprocessing import StandardScaler


class ChurnModel:
    def fit(self, X, y):
        self.scaler = StandardScaler().fit(X)
        self.booster = GradientBoostingClassifier().fit(self.scaler.transform(X), y)
        return self

    def save(self, path):
        joblib.dump({"scaler": self.scaler, "booster": self.booster}, path)

    @classmethod
    def load(cls, path):
        model = cls()
        parts = joblib.load(path)
        model.scaler, model.booster = parts["scaler"], parts["booster"]
        return model

    def predict(self, X):
        return self.booster.predict(self.scaler.transform(X))
"""
SRC_SERVICE = """\
from fastapi import FastAPI

from churnkit.model import ChurnModel

app = FastAPI()
model = ChurnModel.load("models/churn_model.joblib")


@app.post("/predict")
def predict(rows: list[list[float]]):
    return {"churn": model.predict(rows).tolist()}
"""


def test_a_model_class_of_a_src_layout_package_saving_its_scaler_and_restored_by_the_service_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/churnkit/__init__.py": "", "src/churnkit/model.py": SRC_MODEL, "service/main.py": SRC_SERVICE})
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "src/churnkit/model.py" in message and "service/main.py" in message


# Written differently: a training script and a loading helper inside the src package, a hand-run predict script in
# `scripts/` importing the helper by the package's name.
SRC_TRAIN = """\
import pickle

from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import make_pipeline


def train(texts):
    weighting = make_pipeline(HashingVectorizer(n_features=2**18), TfidfTransformer()).fit(texts)
    with open("artefacts/weighting.pkl", "wb") as out:
        pickle.dump(weighting, out)
"""
SRC_PERSIST = """\
import pickle


def load_weighting(path="artefacts/weighting.pkl"):
    with open(path, "rb") as source:
        return pickle.load(source)


def load_classifier(path="artefacts/classifier.pkl"):
    with open(path, "rb") as source:
        return pickle.load(source)
"""
SRC_PREDICT_SCRIPT = """\
import sys

from textcat.persist import load_classifier, load_weighting

weighting = load_weighting()
classifier = load_classifier()
print(classifier.predict(weighting.transform(sys.argv[1:])))
"""


def test_a_vectoriser_loaded_by_a_hand_run_predict_script_through_a_src_layout_helper_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/textcat/__init__.py": "", "src/textcat/train.py": SRC_TRAIN, "src/textcat/persist.py": SRC_PERSIST,
        "scripts/predict.py": SRC_PREDICT_SCRIPT,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome in PRESENT and "src/textcat/train.py" in message and "scripts/predict.py" in message


# Near miss (17.12): the src package's serving helper fits a new scaler on what it is given - a second copy.
SRC_REFITTING_HELPER = """\
import joblib
from sklearn.preprocessing import StandardScaler


def prepare(rows):
    booster = joblib.load("models/booster.joblib")
    return booster, StandardScaler().fit_transform(rows)
"""
SRC_REFITTING_SERVICE = """\
from fastapi import FastAPI

from churnkit.serving import prepare

app = FastAPI()


@app.post("/predict")
def predict(rows: list[list[float]]):
    booster, features = prepare(rows)
    return {"churn": booster.predict(features).tolist()}
"""


def test_a_src_layout_serving_helper_that_fits_its_own_scaler_does_not_use_the_saved_one(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/churnkit/__init__.py": "", "src/churnkit/model.py": SRC_MODEL, "src/churnkit/serving.py": SRC_REFITTING_HELPER,
        "service/main.py": SRC_REFITTING_SERVICE,
    })
    assert _outcome(root, "defines_features")[0] is FAIL
