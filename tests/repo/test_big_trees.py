"""Bounded memory on big trees: parsed Python is cached within bounds and parsed again when evicted,
without changing what is reported; scans that only need some files look only at those."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import index as index_module
from mlops_audit.evidence.repo.index import RepoIndex

IMPORT_FORMS = {
    "plain.py": "import check_rows\n",
    "dotted.py": "import pkg.quality.check_rows\n",
    "aliased.py": "import pkg.check_rows as cr\n",
    "from_module.py": "from pkg.check_rows import something\n",
    "from_name.py": "from pkg.quality import other, check_rows\n",
    "parenthesised.py": "from pkg.quality import (\n    other,\n    check_rows,\n)\n",
    "continued.py": "from pkg.quality import other, \\\n    check_rows\n",
    "semicolon.py": "x = 1; from pkg import check_rows\n",
    "indented.py": "def f():\n    from pkg import check_rows\n    return check_rows\n",
    "only_called.py": "def f(rows):\n    return check_rows(rows)\n",  # mentions, never imports
    "other_name.py": "from pkg import check_rows_fast\n",
}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_python_importing_holds_every_file_whose_summary_imports_the_name(tmp_path: Path) -> None:
    for rel, text in IMPORT_FORMS.items():
        write(tmp_path, rel, text)
    index = RepoIndex(tmp_path)
    by_summary = {
        rel for rel in IMPORT_FORMS
        if any(m == "check_rows" or m.endswith(".check_rows") for m in index.python(rel).imports)  # type: ignore[union-attr]
    }
    found = index.python_importing("check_rows")
    assert by_summary <= found
    assert found == set(IMPORT_FORMS) - {"only_called.py", "other_name.py"}


def test_python_scan_within_looks_only_at_the_given_files(tmp_path: Path) -> None:
    for rel in ("a.py", "b.py", "c.py"):
        write(tmp_path, rel, "def check_rows(x):\n    return x\n")
    index = RepoIndex(tmp_path)
    assert [s.path for s in index.python_scan("check_rows", within={"c.py", "a.py"})] == ["a.py", "c.py"]
    assert [s.path for s in index.python_scan("check_rows")] == ["a.py", "b.py", "c.py"]


def test_parsed_python_is_kept_within_bounds_and_parsed_again_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "TREE_CACHE_CHARS", 200)
    monkeypatch.setattr(index_module, "SUMMARY_CACHE_CHARS", 200)
    body = "import mlflow\n\n\ndef train_{i}(x):\n    mlflow.log_param('a', x)\n    return x +\n"  # a syntax error: noted once
    for i in range(5):
        write(tmp_path, f"m{i}.py", body.format(i=i) + "# padding to weigh ~100 characters\n")
    index = RepoIndex(tmp_path)
    first = [index.python(f"m{i}.py") for i in range(5)]
    trees = [ast.dump(index.syntax_tree(f"m{i}.py") or ast.Module(body=[], type_ignores=[])) for i in range(5)]
    assert len(index._python) <= 2 and len(index._trees) <= 2  # never all of them at once
    again = [index.python(f"m{i}.py") for i in range(5)]
    assert [s.syntax_errors for s in again] == [s.syntax_errors for s in first]  # type: ignore[union-attr]
    assert [ast.dump(index.syntax_tree(f"m{i}.py") or ast.Module(body=[], type_ignores=[])) for i in range(5)] == trees
    assert index.stats.parse_problems == 5 and len(index.problems) == 5  # each file's problem once, however often parsed
    assert index._parsed_files == 5  # the parsing budget is charged once per file


def test_a_summary_parse_shares_its_syntax_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "a.py", "import os\n\n\ndef f():\n    return os.getcwd()\n")
    index = RepoIndex(tmp_path)
    index.python("a.py")
    parses = []
    real_parse = ast.parse
    monkeypatch.setattr(index_module.ast, "parse", lambda *a, **k: parses.append(a) or real_parse(*a, **k))
    tree = index.syntax_tree("a.py")
    assert tree is not None and isinstance(tree.body[1], ast.FunctionDef) and parses == []


def test_in_house_candidates_are_narrowed_before_parsing(tmp_path: Path) -> None:
    """`_inhouse.project_code` drops tests and notebooks by path before they are parsed, and a
    rule's text test (`where=`) keeps a file from being parsed at all."""
    from mlops_audit.evidence.repo.detectors._inhouse import project_code

    write(tmp_path, "src/train.py", "import itertools\nbest = max(itertools.product([1], [2]))\n")
    write(tmp_path, "src/other.py", "import itertools\nx = list(itertools.product([1], [2]))\n")
    write(tmp_path, "tests/test_train.py", "import itertools\nbest = max(itertools.product([1], [2]))\n")
    write(tmp_path, "explore.ipynb", '{"cells": [{"cell_type": "code", "source": "import itertools"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    index = RepoIndex(tmp_path)
    assert [s.path for s in project_code(index.python_scan("itertools"))] == ["src/other.py", "src/train.py"]
    assert index._summarised == {"src/other.py", "src/train.py"}  # tests and the notebook never parsed
    fresh = RepoIndex(tmp_path)
    found = fresh.python_scan("itertools", where=lambda text: "max(" in text)
    assert [s.path for s in project_code(found)] == ["src/train.py"]
    assert fresh._summarised == {"src/train.py"}
    # Without narrowing, every file mentioning the name is parsed (as named-tool rules need).
    assert [s.path for s in fresh.python_scan("itertools")] == ["explore.ipynb", "src/other.py", "src/train.py", "tests/test_train.py"]
