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
