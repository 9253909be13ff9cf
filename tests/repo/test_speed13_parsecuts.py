"""validates_data parses fewer files (session 13, branch speed13-parsecuts): the schema rule's candidates
must pass a text test, the data-tests rule reads test modules only. Every finding is unchanged; files
that only these rules parsed are no longer parsed (nor noted in `problems` when they do not parse)."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index
from mlops_audit.evidence.repo.detectors import data

SCHEMA_CHECK = """\
import pandas as pd

SCHEMA = {"age": "int64", "income": "float64"}


def load(path):
    df = pd.read_csv(path)
    if list(df.columns) != list(SCHEMA):
        raise ValueError("columns differ from the schema")
    return df


load("data/train.csv")
"""

ROW_MODEL = """\
import pandas as pd
from pydantic import BaseModel


class Row(BaseModel):
    age: int


def check(df):
    for record in df.to_dict("records"):
        Row(**record)


check(pd.read_csv("data/train.csv"))
"""

ARRAY_SHAPES = """\
import numpy as np


def step(x):
    if x.shape[1] != 3:
        raise ValueError("three features")
    return np.mean(x)
"""


def test_the_schema_rules_text_test_holds_for_every_module_with_a_schema_check(tmp_path: Path) -> None:
    modules = {
        "a.py": SCHEMA_CHECK, "b.py": ROW_MODEL, "c.py": SCHEMA_CHECK.replace("SCHEMA", "Schema"),
        "d.py": ROW_MODEL.replace("from pydantic import BaseModel", "import pydantic").replace("(BaseModel)", "(pydantic.BaseModel)"),
    }
    for name, code in modules.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    index = build_index(tmp_path)
    for name, code in modules.items():
        summary = index.python(name)
        assert summary is not None and summary.schema_checks, name  # the rule finds a check here
        assert data._may_check_schema(code), name  # and the text test lets the file through


def test_modules_naming_neither_a_pydantic_model_nor_a_schema_are_not_parsed_for_the_schema_rule(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "shapes.py").write_text(ARRAY_SHAPES, encoding="utf-8")
    (tmp_path / "src" / "load.py").write_text(SCHEMA_CHECK, encoding="utf-8")
    assert not data._may_check_schema(ARRAY_SHAPES)
    assert data._may_check_schema(ARRAY_SHAPES + "\n# \uff22aseModel\n")  # non-ASCII code: the parser decides
    index = build_index(tmp_path)
    assert [loc.path for loc in data._schema_checks(index)] == ["src/load.py"]
    assert index._summarised == {"src/load.py"}


def test_the_data_tests_rule_parses_test_modules_only(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "src").mkdir()
    cleaning = "import pandas as pd\n\ndef clean(df):\n    return df[df.age.notna()]\n"
    test_data = 'import pandas as pd\n\ndef test_no_missing_ages():\n    df = pd.read_csv("data/train.csv")\n    assert not df.age.isna().any()\n'
    (tmp_path / "src" / "clean.py").write_text(cleaning, encoding="utf-8")
    (tmp_path / "tests" / "test_data.py").write_text(test_data, encoding="utf-8")
    (tmp_path / "analysis.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": test_data}], "nbformat": 4}), encoding="utf-8")
    index = build_index(tmp_path)
    assert [loc.path for loc in data._data_tests(index)] == ["tests/test_data.py"]
    assert index._summarised == {"tests/test_data.py"}
