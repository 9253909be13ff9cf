"""Session 14's rules for is_reproducible, defines_features and has_design_docs (conventions §14),
each with the practice it recognises and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_data_session11 import _notebook
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- is_reproducible: a literal seed in the model's parameter mapping -----------------------------

PARAMS_TRAIN = """\
import pandas as pd
import xgboost as xgb


def train():
    X, y = pd.read_csv("data/X.csv"), pd.read_csv("data/y.csv")
    params = {
        "n_estimators": 100,
        "max_depth": 6,
        "random_state": 42,
    }
    model = xgb.XGBClassifier(**params)
    model.fit(X, y)
    return model
"""


def test_a_training_files_parameter_mapping_that_fixes_the_models_seed_makes_training_repeatable(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"src/train.py": PARAMS_TRAIN}), "is_reproducible")
    assert outcome is PASS and "parameter mapping" in message


def test_a_seed_in_a_mapping_of_code_that_trains_nothing_does_not_seed_training(tmp_path: Path) -> None:
    simulate = 'import numpy as np\n\nSETTINGS = {"rows": 1000, "seed": 7}\n\n\ndef rows():\n    return np.zeros(SETTINGS["rows"])\n'
    train = PARAMS_TRAIN.replace('        "random_state": 42,\n', "")
    outcome, _ = _outcome(_tree(tmp_path, {"src/simulate.py": simulate, "src/train.py": train}), "is_reproducible")
    assert outcome is FAIL


def test_a_seed_left_to_chance_in_the_parameter_mapping_is_not_fixed(tmp_path: Path) -> None:
    train = PARAMS_TRAIN.replace('"random_state": 42', '"random_state": None')
    outcome, _ = _outcome(_tree(tmp_path, {"src/train.py": train}), "is_reproducible")
    assert outcome is FAIL


# --- is_reproducible: the training function's seed parameter defaults to an integer --------------

DEFAULT_SEED_TRAIN = """\
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import RandomizedSearchCV, train_test_split


def train(X, y, n_iter_search=50, random_state=123):
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=random_state)
    search = RandomizedSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-3]}, n_iter=n_iter_search, random_state=random_state)
    search.fit(X_train, y_train)
    return search.best_estimator_


if __name__ == "__main__":
    train(load_x(), load_y())
"""


def test_a_training_function_whose_seed_parameter_defaults_to_an_integer_is_seeded(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"pkg/train.py": DEFAULT_SEED_TRAIN}), "is_reproducible")
    assert outcome is PASS and "parameter default" in message


def test_a_seed_parameter_defaulting_to_none_leaves_each_run_to_chance(tmp_path: Path) -> None:
    train = DEFAULT_SEED_TRAIN.replace("random_state=123)", "random_state=None)")
    outcome, _ = _outcome(_tree(tmp_path, {"pkg/train.py": train}), "is_reproducible")
    assert outcome is FAIL


# --- is_reproducible: a notebook's own seeded helper is not the training scripts' seed -----------

NOTEBOOK_HELPER = _notebook(
    "import numpy as np\nfrom sklearn.model_selection import train_test_split",
    "def split_across_sites(df):\n    np.random.seed(0)\n    return train_test_split(df, random_state=0)",
    "train, test = split_across_sites(frame)\nmodel.fit(train, train.y)",
)
UNSEEDED_SCRIPT = (
    "from sklearn.ensemble import RandomForestRegressor\n\n\ndef main(frame):\n"
    "    return RandomForestRegressor().fit(frame.drop(columns='y'), frame.y)\n"
)


def test_seeds_only_in_a_notebooks_own_helper_do_not_seed_the_training_scripts(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"notebooks/model_evaluation.ipynb": NOTEBOOK_HELPER, "scripts/forecast_training.py": UNSEEDED_SCRIPT})
    outcome, message = _outcome(root, "is_reproducible")
    assert outcome is FAIL and "only in notebooks" in message


def test_a_seeding_helper_module_called_by_the_training_script_seeds_it(tmp_path: Path) -> None:
    helper = "import numpy as np\n\n\ndef split_across_sites(df):\n    np.random.seed(0)\n    return df.sample(frac=0.8)\n"
    script = "from pkg.split import split_across_sites\n" + UNSEEDED_SCRIPT.replace("    return", "    frame = split_across_sites(frame)\n    return")
    root = _tree(tmp_path, {"notebooks/model_evaluation.ipynb": NOTEBOOK_HELPER, "pkg/split.py": helper, "scripts/forecast_training.py": script})
    outcome, _ = _outcome(root, "is_reproducible")
    assert outcome is PASS


# --- defines_features: a feature definition imported by training and by the prediction path -----

FEATURES_MODULE = """\
import numpy as np
import pandas as pd


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["hour"] = out.index.hour
    out["lag_24"] = out["load"].shift(24)
    out["log_temp"] = np.log1p(out["temp"])
    return out.dropna()
"""
TRAIN_WITH_FEATURES = """\
import joblib
import pandas as pd
from xgboost import XGBRegressor

from src.features import build_features


def main():
    frame = build_features(pd.read_parquet("data/history.parquet"))
    model = XGBRegressor().fit(frame.drop(columns="load"), frame["load"])
    joblib.dump(model, "models/model.joblib")
"""
APP_WITH_FEATURES = """\
import joblib
import pandas as pd
from fastapi import FastAPI

from src.features import build_features

app = FastAPI()
model = joblib.load("models/model.joblib")


@app.post("/predict")
def predict(rows: list[dict]):
    frame = build_features(pd.DataFrame(rows))
    return {"load": model.predict(frame.drop(columns="load")).tolist()}
"""


def test_a_feature_module_imported_by_training_and_by_the_service_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/features.py": FEATURES_MODULE, "src/retrain.py": TRAIN_WITH_FEATURES, "app.py": APP_WITH_FEATURES})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "src/features.py" in message and "app.py" in message


def test_a_feature_module_only_training_imports_is_inline_feature_engineering(tmp_path: Path) -> None:
    app = APP_WITH_FEATURES.replace("from src.features import build_features\n", "").replace("build_features(pd.DataFrame(rows))", "pd.DataFrame(rows)")
    root = _tree(tmp_path, {"src/features.py": FEATURES_MODULE, "src/retrain.py": TRAIN_WITH_FEATURES, "app.py": app})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_a_feature_module_shared_with_an_evaluation_script_is_no_prediction_path(tmp_path: Path) -> None:
    evaluate = (
        "import joblib\nimport pandas as pd\n\nfrom src.features import build_features\n\n\ndef main():\n"
        "    frame = build_features(pd.read_parquet('data/holdout.parquet'))\n"
        "    print(joblib.load('models/model.joblib').predict(frame.drop(columns='load')))\n"
    )
    root = _tree(tmp_path, {"src/features.py": FEATURES_MODULE, "src/retrain.py": TRAIN_WITH_FEATURES, "src/evaluate.py": evaluate})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


FEATURE_LIST = 'NOWCAST_FEATURES = ["rainfall_mm", "temp_max", "soil_moisture"]\nDB_SCHEMA = "api"\n'
SCORING_WITH_LIST = """\
import joblib
import pandas as pd

from qtrees.constants import NOWCAST_FEATURES


def main(engine):
    frame = pd.read_sql("select * from api.latest", engine)
    model = joblib.load("models/nowcast.pkl")
    frame["forecast"] = model.predict(frame[NOWCAST_FEATURES])
    frame.to_sql("forecast", engine, if_exists="append")
"""
TRAINING_WITH_LIST = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

from qtrees.constants import NOWCAST_FEATURES


def main(engine):
    frame = pd.read_sql("select * from api.training", engine)
    model = RandomForestRegressor().fit(frame[NOWCAST_FEATURES], frame["target"])
    joblib.dump(model, "models/nowcast.pkl")
"""


def test_a_declared_feature_list_read_by_training_and_by_batch_scoring_defines_the_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "qtrees/__init__.py": "", "qtrees/constants.py": FEATURE_LIST,
        "scripts/script_nowcast_training.py": TRAINING_WITH_LIST, "scripts/script_nowcast_inference.py": SCORING_WITH_LIST,
    })
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "NOWCAST_FEATURES" in message


def test_shared_settings_that_name_no_features_define_none(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "qtrees/__init__.py": "", "qtrees/constants.py": FEATURE_LIST.replace("NOWCAST_FEATURES", "NOWCAST_COLUMNS"),
        "scripts/script_nowcast_training.py": TRAINING_WITH_LIST.replace("NOWCAST_FEATURES", "NOWCAST_COLUMNS"),
        "scripts/script_nowcast_inference.py": SCORING_WITH_LIST.replace("NOWCAST_FEATURES", "NOWCAST_COLUMNS"),
    })
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_relative_imports_of_a_feature_module_inside_a_package_are_followed(tmp_path: Path) -> None:
    train = TRAIN_WITH_FEATURES.replace("from src.features import", "from .features import")
    predict = SCORING_WITH_LIST.replace("from qtrees.constants import NOWCAST_FEATURES", "from .features import build_features").replace(
        "frame[NOWCAST_FEATURES]", "build_features(frame)")
    root = _tree(tmp_path, {"forecaster/__init__.py": "", "forecaster/features.py": FEATURES_MODULE, "forecaster/train.py": train, "forecaster/predict.py": predict})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "forecaster/features.py" in message


def test_a_data_loader_kept_in_a_features_folder_is_no_feature_definition(tmp_path: Path) -> None:
    loader = "import pandas as pd\n\n\ndef load_dataset(path):\n    return pd.read_csv(path)\n"
    train = TRAIN_WITH_FEATURES.replace("from src.features import build_features", "from src.features.load_dataset import load_dataset").replace("build_features(", "load_dataset(")
    app = APP_WITH_FEATURES.replace("from src.features import build_features", "from src.features.load_dataset import load_dataset").replace("build_features(", "load_dataset(")
    root = _tree(tmp_path, {"src/features/__init__.py": "", "src/features/load_dataset.py": loader, "src/models/train.py": train, "src/models/predict_api.py": app})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


# --- has_design_docs: runbooks stating objectives, flow documents, procedures --------------------

PROSE = (
    "The recommender answers each request from the candidate store and re-ranks with the latest model. "
    "Requests that miss the cache fall back to the popularity list, which the nightly job rebuilds. "
) * 4
SYSTEM_CODE = {"src/serve.py": "import joblib\n\nmodel = joblib.load('model.pkl')\n\ndef rank(user):\n    scores = model.predict(user)\n    return sorted(scores)[:10]\n",
               "src/train.py": "from sklearn.linear_model import LogisticRegression\n\ndef train(X, y):\n    model = LogisticRegression()\n    model.fit(X, y)\n    return model\n"}


def _design(tmp_path: Path, docs: dict[str, str]) -> tuple[FindingOutcome, str]:
    return _outcome(_tree(tmp_path, {**SYSTEM_CODE, **docs}), "has_design_docs")


def test_a_monitoring_page_that_sets_the_services_objectives_is_design(tmp_path: Path) -> None:
    page = f"# Monitoring\n\n## Service metrics\n\n{PROSE}\n\n## Latency SLO\n\np95 under 150 ms; alert when the error rate passes 2 %.\n"
    outcome, message = _design(tmp_path, {"docs/monitoring.md": page})
    assert outcome is PASS and "1 design" in message


def test_a_monitoring_page_that_only_says_how_to_open_the_dashboards_is_not_design(tmp_path: Path) -> None:
    page = f"# Monitoring\n\n## Opening Grafana\n\n{PROSE}\n\n## Logging in\n\nUse the admin account.\n"
    outcome, _ = _design(tmp_path, {"docs/monitoring.md": page})
    assert outcome is FAIL


def test_a_document_of_the_applications_flows_beside_the_readme_is_design(tmp_path: Path) -> None:
    outcome, message = _design(tmp_path, {"README.md": "# Shop\n\nRun it.\n", "APPLICATION_FLOW.md": f"# Overview\n\n{PROSE}\n"})
    assert outcome is PASS and "1 design" in message


def test_notes_on_googles_dataflow_product_are_not_a_flow_document(tmp_path: Path) -> None:
    outcome, _ = _design(tmp_path, {"README.md": "# Shop\n\nRun it.\n", "DATAFLOW.md": f"# Running on Dataflow\n\n{PROSE}\n"})
    assert outcome is FAIL


def test_a_procedures_document_naming_system_components_in_a_policy_is_not_design(tmp_path: Path) -> None:
    page = f"# Procedures\n\n## Account access\n\n{PROSE}\n\n## Unsupported System Components Policy\n\nReplace them.\n"
    outcome, _ = _design(tmp_path, {"docs/procedures.md": page})
    assert outcome is FAIL


def test_a_page_of_the_systems_components_in_the_docs_is_design(tmp_path: Path) -> None:
    page = f"# The recommender\n\n## Account access\n\n{PROSE}\n\n## System Components\n\nThe ranker and the store.\n"
    outcome, _ = _design(tmp_path, {"docs/recommender.md": page})
    assert outcome is PASS


# --- is_reproducible: a seeding helper is a function the training code calls, not a method name ---

SEEDED_PREDICTOR = """\
import numpy as np


class ArimaPredictor:
    def predict(self, series, n):
        np.random.seed(0)  # sampled paths of the forecast
        return series[-n:] + np.random.normal(size=n)
"""
TRAIN_CALLING_PREDICT = """\
from sklearn.linear_model import LinearRegression


def calibrate(X, y, X_new):
    model = LinearRegression()
    model.fit(X, y)
    return model.predict(X_new)
"""


def test_a_models_predict_method_is_no_call_of_a_seeding_predict_helper_elsewhere(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"forecast/arima.py": SEEDED_PREDICTOR, "forecast/train_linear.py": TRAIN_CALLING_PREDICT})
    outcome, _ = _outcome(root, "is_reproducible")
    assert outcome is FAIL


def test_a_seeding_function_imported_and_called_by_training_seeds_it(tmp_path: Path) -> None:
    helper = "import numpy as np\n\n\ndef fix_randomness():\n    np.random.seed(0)\n"
    train = "from forecast.common import fix_randomness\n" + TRAIN_CALLING_PREDICT.replace("    model = LinearRegression()", "    fix_randomness()\n    model = LinearRegression()")
    root = _tree(tmp_path, {"forecast/common.py": helper, "forecast/train_linear.py": train})
    outcome, message = _outcome(root, "is_reproducible")
    assert outcome is PASS and "fix_randomness" in message


# --- defines_features: a dbt feature layer --------------------------------------------------------

DBT_PROJECT = "name: bikeshare\nversion: '1.0'\nprofile: bikeshare\nmodel-paths: ['models']\n"
SNAPSHOT_SQL = "select station_id, ts, bikes_available, avg(bikes_available) over w as bikes_avg_1h\nfrom {{ ref('stg_status') }}\nwindow w as (partition by station_id order by ts)\n"


def test_a_dbt_projects_feature_models_are_a_feature_layer(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"dbt/dbt_project.yml": DBT_PROJECT, "dbt/models/features/feat_station_snapshot.sql": SNAPSHOT_SQL})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "dbt feature layer" in message


def test_a_dbt_project_of_staging_and_marts_defines_no_features(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"dbt/dbt_project.yml": DBT_PROJECT, "dbt/models/marts/station_snapshot.sql": SNAPSHOT_SQL})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_feature_models_of_an_example_dbt_project_define_nothing_of_the_system(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"examples/dbt/dbt_project.yml": DBT_PROJECT, "examples/dbt/models/features/feat_station_snapshot.sql": SNAPSHOT_SQL})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_relative_imports_are_read_by_level_and_a_run_of_dots_costs_one_pass() -> None:
    import time

    from mlops_audit.evidence.repo.detectors._bindings import relative_imports as _relative_imports

    text = "from . import features\nfrom ..common.features import (build,\n    lags as lagged)\n"
    assert _relative_imports(text, "pkg/sub/predict.py") == [("pkg.sub", ("features",), 1), ("pkg.common.features", ("build", "lags"), 2)]
    start = time.perf_counter()
    assert _relative_imports("from " + "." * 200_000 + " x\n", "a.py") == []
    assert time.perf_counter() - start < 2.0  # a pattern letting the module name start with a dot backtracked quadratically: 20k dots took 36 s


def test_a_feature_module_imported_as_a_sibling_module_is_the_definition_not_its_package(tmp_path: Path) -> None:
    train = TRAIN_WITH_FEATURES.replace("from src.features import build_features", "from . import features").replace("build_features(", "features.build_features(")
    predict = SCORING_WITH_LIST.replace("from qtrees.constants import NOWCAST_FEATURES", "from . import features").replace(
        "frame[NOWCAST_FEATURES]", "features.build_features(frame)")
    root = _tree(tmp_path, {"fc/__init__.py": "", "fc/features.py": FEATURES_MODULE, "fc/train.py": train, "fc/predict.py": predict})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "e.g. fc/features.py by fc/train.py and fc/predict.py" in message


# --- the lookups of these rules, found from each file rather than by pairs (lead, after review14) --


def test_a_dbt_project_at_the_repository_top_owns_its_feature_models(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"dbt_project.yml": DBT_PROJECT, "models/features/feat_station_snapshot.sql": SNAPSHOT_SQL})
    outcome, message = _outcome(root, "defines_features")
    assert outcome is PASS and "dbt feature layer" in message


def test_a_models_folder_outside_every_dbt_project_is_no_feature_layer(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"dbt/dbt_project.yml": DBT_PROJECT, "service/models/features/feat_station_snapshot.sql": SNAPSHOT_SQL})
    outcome, _ = _outcome(root, "defines_features")
    assert outcome is FAIL


def test_a_seed_default_counts_only_when_the_function_itself_passes_it_on(tmp_path: Path) -> None:
    """The seed's use must lie inside the defaulting function's own lines: a use in the next
    function (which takes no such default) does not make the first one seeded."""
    train = """\
from sklearn.linear_model import SGDClassifier


def train(X, y, random_state=123):
    return SGDClassifier().fit(X, y)


def split(X, y, random_state=None):
    return train_test_split(X, y, random_state=random_state)


if __name__ == "__main__":
    train(*split(load_x(), load_y()))
"""
    outcome, _ = _outcome(_tree(tmp_path, {"pkg/train.py": train}), "is_reproducible")
    assert outcome is FAIL
