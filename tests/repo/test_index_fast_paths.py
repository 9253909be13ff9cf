"""The collector's shortcuts answer exactly what the plain, per-file computations answer.

Each fast path (raw-bytes needle filter, extension and joined-listing globs, one regex pass per
history area, scandir walk) is checked against the straightforward definition it replaces.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.repo import gitignore
from mlops_audit.evidence.repo.git import AREAS, classify_paths, git_signals
from mlops_audit.evidence.repo.index import NeedleFilter, RepoIndex, decode_text, needles_in
from tests.repo import gitreplay

NEEDLE_VOCABULARY = [
    "mlflow", "seed", "GridSearchCV", "tune.run", "def run(", '"delta"', "'delta'", "interval=", "s3fs",
    "x2", "_", "a", "import serve", ".record(", "ré",
]
CODE_ALPHABET = st.sampled_from(list("abdeflmnorstuwxyzGSCV_0123456789.( )='\"\n\tré\ufffd") + ["mlflow", "seed", "tune", "run"])


@settings(max_examples=400, deadline=None)
@given(st.lists(CODE_ALPHABET, max_size=40).map("".join), st.sets(st.sampled_from(NEEDLE_VOCABULARY), max_size=5))
def test_the_raw_bytes_filter_never_rejects_code_that_mentions_a_needle(code: str, needles: set[str]) -> None:
    found = needles_in(code, needles)
    if found:
        assert NeedleFilter.of(needles).may_mention(code.encode("utf-8"))
        assert NeedleFilter.of(needles).may_mention(b"\xef\xbb\xbf" + code.encode("utf-8"))  # with a BOM


def _cut(code_and_cuts: tuple[str, list[int]]) -> list[str]:
    """A cell's code cut into list items at the given offsets (inside words too)."""
    code, cuts = code_and_cuts
    points = sorted({min(c, len(code)) for c in cuts} | {0, len(code)})
    return [code[a:b] for a, b in zip(points, points[1:], strict=False)] or [""]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(CODE_ALPHABET, max_size=16).map("".join), st.lists(st.integers(0, 60), max_size=4)).map(_cut),
        min_size=1, max_size=3,
    ),
    st.sets(st.sampled_from([n for n in NEEDLE_VOCABULARY if n.isascii()]), min_size=1, max_size=4),
    st.booleans(),
    st.booleans(),
)
def test_a_notebook_whose_code_mentions_a_needle_always_passes_the_raw_filter(
    tmp_path_factory: pytest.TempPathFactory, cells: list[list[str]], needles: set[str], as_string: bool, source_first: bool
) -> None:
    """Cells as lists of strings (split anywhere, even inside a word) or as one string, the source key
    before or after the others, written by json.dumps (escapes): the notebook is found exactly when
    the code of its cells mentions a needle."""
    def cell(parts: list[str]) -> dict[str, object]:
        source: object = "".join(parts) if as_string else parts
        rest = {"cell_type": "code", "metadata": {"tags": ["x"]}, "outputs": []}
        return {"source": source, **rest} if source_first else {**rest, "source": source}

    root = tmp_path_factory.mktemp("nb")
    (root / "n.ipynb").write_text(json.dumps({"cells": [cell(c) for c in cells], "nbformat": 4}), encoding="utf-8")
    code = "\n".join("".join(c) for c in cells)
    expected = bool(needles_in(code, needles))
    index = RepoIndex(root, needles=sorted(needles))
    assert bool(list(index.python_mentioning(*needles))) == expected


def test_the_needle_filter_rejects_code_without_needles_and_identifiers_inside_longer_names() -> None:
    needle_filter = NeedleFilter.of(["mlflow", "seed", "tune.run"])
    assert not needle_filter.may_mention(b"import os\nmlflowx = 1\nreseed()\n")
    assert needle_filter.may_mention(b"x = 9mlflow\n")  # a token after digits is still a token
    assert needles_in("x = 9mlflow\n", ["mlflow"]) == {"mlflow"}
    # A phrase needle's words are whole identifiers: `tune.run` is not in `autotune.runner()`.
    assert needle_filter.may_mention(b"from ray import tune\ntune.run(f)\n")
    assert needles_in("autotune.runner()\n", ["tune.run"]) == frozenset()
    assert needles_in("x = (tune.run)\n", ["tune.run"]) == {"tune.run"}
    assert needles_in("x = 'delta'\n", ["'delta'"]) == {"'delta'"}  # no identifier at its ends: a substring
    assert not NeedleFilter.of([]).may_mention(b"anything")


def write(root: Path, rel: str, content: str | bytes = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def test_python_mentioning_finds_exactly_the_files_whose_decoded_code_mentions_a_needle(tmp_path: Path) -> None:
    sources: dict[str, bytes] = {
        "a.py": b"import mlflow\n",
        "b.py": b"\xef\xbb\xbfimport numpy as np\nnp.random.seed(1)\n",
        "c.py": b"reseed = 1\nmlflowx = 2\n",
        "d.py": b"x = '\xff\xfe' ; from ray import tune\ntune.run(f)\n",
        "e.py": b"\0binary mlflow",
        "f.ipynb": b'{"cells": [{"cell_type": "code", "source": ["import ml", "flow\\n"]}]}',
        "g.py": b"print('seed')\n",
    }
    for rel, data in sources.items():
        write(tmp_path, rel, data)
    needles = ("mlflow", "seed", "tune.run")
    index = RepoIndex(tmp_path, needles=needles)
    for needle in needles:
        expected = sorted(
            rel for rel, data in sources.items()
            if rel.endswith(".py") and needle in needles_in(decode_text(data) or "", [needle])
        ) + (["f.ipynb"] if needle == "mlflow" else [])
        assert sorted(s.path for s in index.python_mentioning(needle)) == sorted(expected), needle
    assert [s.path for s in index.python_scan("reseed")] == ["c.py"]


GLOB_PATTERNS = [
    "**/requirements*.txt", "**/*.y*ml", "**/*.yaml", "**/*.yml", "docs/**", "**/Dockerfile*", "*.md",
    ".github/workflows/*.yml", "**/expectations/**/*.json", "**/environment*.yml", "a?c.txt", "**/[ab]*.txt",
    "**/conda.yaml", "**/*.tar.gz",
]
NAMES = [
    "requirements.txt", "requirements-dev.txt", "sub/requirements_test.txt", "sub/requirements.TXT", "x.yaml",
    "deep/a/b/c.YML", "deep/a/b/c.yml", "yaml", "noext", "docs/guide.md", "docs/sub/x.txt", "Dockerfile",
    "svc/Dockerfile.prod", ".github/workflows/ci.yml", "ge/expectations/s/suite.json", "environment-gpu.yml",
    "abc.txt", "README.md", "conda.yaml", "pkg/conda.yaml", "b.txt", "d/.hidden.yaml", "dist/a.tar.gz",
    "K\u212aelvin.YAML",
]


@pytest.mark.parametrize("with_newline_name", [False, True])
def test_globs_suffixes_and_names_match_the_per_path_definitions(tmp_path: Path, with_newline_name: bool) -> None:
    for rel in NAMES + (["odd\nname.yml", "two\nlines.txt"] if with_newline_name else []):
        write(tmp_path, rel)
    index = RepoIndex(tmp_path)
    for pattern in GLOB_PATTERNS:
        for ignore_case in (False, True):
            regex = re.compile(gitignore._translate(pattern) + r"\Z", re.DOTALL | (re.IGNORECASE if ignore_case else 0))
            assert index.glob(pattern, ignore_case=ignore_case) == [f for f in index.files if regex.match(f)], pattern
    for suffixes in ((".yaml",), (".yaml", ".yml"), (".TXT",), (".tar.gz",), ("file",), (".",)):
        lowered = tuple(s.lower() for s in suffixes)
        assert index.with_suffix(*suffixes) == [f for f in index.files if f.lower().endswith(lowered)], suffixes
    for names in (("conda.yaml",), ("README.md", "Dockerfile"), ("CONDA.YAML",)):
        wanted = {n.lower() for n in names}
        assert index.named(*names, ignore_case=True) == [f for f in index.files if f.rsplit("/", 1)[-1].lower() in wanted]
        assert index.named(*names) == [f for f in index.files if f.rsplit("/", 1)[-1] in names]


def test_the_walk_lists_folders_depth_first_in_name_order_before_truncating(tmp_path: Path) -> None:
    for rel in ["b/2.txt", "b/1.txt", "a/z/9.txt", "a/1.txt", "top.txt", "c.txt", "a/y/.gitignore", "a/y/kept.txt", "a/y/ignored.log"]:
        write(tmp_path, rel, "*.log\n" if rel.endswith(".gitignore") else "x\n")
    walk_order = []
    for current, dirs, files in os.walk(tmp_path):
        dirs.sort()
        rel_dir = os.path.relpath(current, tmp_path).replace(os.sep, "/")
        walk_order += [name if rel_dir == "." else f"{rel_dir}/{name}" for name in sorted(files)]
    walk_order.remove("a/y/ignored.log")
    for cap in range(1, len(walk_order) + 1):
        index = RepoIndex(tmp_path, max_files=cap)
        assert list(index.files) == sorted(walk_order[:cap])
        assert index.stats.truncated == (cap < len(walk_order))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["data", "train", "model", "api", "x", "Dockerfile", "a.py", "t.ipynb", "dvc.lock", "infra_x", "é", "serve.py", "docker-compose.yml", "k8s", "training", "models", "params.yaml", "m.tf", "train_x.py", "Containerfile.dev", "charts", "features", "raw.csv.dvc", "hyperparams.yml", "app.py", "my_train.py", "DATA", "Train.PY", "", "x.TF", "a.bicep", "docker-compose.prod.yaml",
"main_api.py", "Modeling.py", "hyperparam.yml", "dvc.yaml", "n.IPYNB", "experiments.py", "tuning.py", "server", "Serving.py",
"notebook.py", "retrain_job.py", "models.py", "deploy_x", "feature_repo", "Dockerfile.gpu", "api", "inference", "charts"]), min_size=1, max_size=4).map("/".join), max_size=12))
def test_history_paths_are_classified_as_a_per_path_search_would(paths: list[str]) -> None:
    unique = sorted(set(paths))
    for paths_ in (unique, [*unique, "data/x\ntrain.py"]):
        classified = classify_paths(paths_)
        for area, pattern in AREAS.items():
            assert classified[area] == {p for p in paths_ if pattern.search(p)}, area


def test_history_read_in_the_background_equals_history_read_on_demand(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "ana", ["train/model.py", "deploy/Dockerfile"], 1, tag="v1.0.0")
    gitreplay.commit(tmp_path, "bo", ["data/raw.csv.dvc", "train/model.py"], 2)
    index = RepoIndex(tmp_path)
    assert index.git_signals() == git_signals(tmp_path)
    signals = index.git_signals()
    assert signals.present and signals.commits == 2 and signals.tags == 1
    assert signals.areas["training"].authors == 2 and signals.areas["deployment"].authors == 1


TEST_SOURCES = [
    "def test_a():\n    assert 1\n\ndef test_b():\n    pass\n",
    "def test_outer():\n    def helper():\n        raise ValueError\n    helper()\n\ndef test_after():\n    x = 1\n",
    "def test_nested():\n    def test_inner():\n        self.assertEqual(1, 1)\n    return test_inner\n",
    "class TestX:\n    def test_m(self):\n        with pytest.raises(E):\n            f()\n    def test_n(self):\n        print(1)\n",
    "class Case(unittest.TestCase):\n    def test_k(self):\n        self.check_all()\n    def helper(self):\n        assert 0\n",
    "@pytest.mark.parametrize('x', [assert_ok()])\ndef test_deco(x):\n    pass\n",
    "def test_default(x=expect_value()):\n    pass\n\ndef test_lambda():\n    f = lambda: fail()\n",
    "def test_class_inside():\n    class A:\n        def m(self):\n            assert True\n\nasync def test_async():\n    await thing()\n",
]


@pytest.mark.parametrize("source", TEST_SOURCES)
def test_test_functions_assert_exactly_when_their_whole_definition_asserts(source: str) -> None:
    import ast

    from mlops_audit.evidence.repo.pysource import _asserts, summarise

    tests = summarise("t.py", [source]).tests
    by_name = {n.name: n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    assert tests, "every source above defines test functions"
    assert [(t.name, t.asserts) for t in tests] == [(t.name, _asserts(by_name[t.name])) for t in tests]


def test_the_sources_above_cover_asserting_and_hollow_tests() -> None:
    from mlops_audit.evidence.repo.pysource import summarise

    outcomes = [t.asserts for source in TEST_SOURCES for t in summarise("t.py", [source]).tests]
    assert outcomes.count(True) >= 6 and outcomes.count(False) >= 4


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([
    "docs", "Documentation", "design", "ARCHITECTURE", "adr", "adrs", "adr-0001", "rfcs", "proposal", "decisions",
    "model_card", "Model-Card", "data card", "datasheet", "system-card", "prd", "PRD", "spec", "Specification",
    "requirements", "README", "readme.md", "notes", "src", "x", "decision_log", "decision record", "api",
]), min_size=1, max_size=4).map("/".join))
def test_the_design_path_hint_never_skips_a_path_the_design_rules_match(path: str) -> None:
    from mlops_audit.evidence.repo.detectors.governance import _DESIGN_NAME, _DOCS_FOLDER, may_be_design_path

    name = path.rsplit("/", 1)[-1].lower()
    if _DESIGN_NAME.search(path.rsplit(".", 1)[0]) or _DOCS_FOLDER.search(path) or name.startswith("readme"):
        assert may_be_design_path(path)
