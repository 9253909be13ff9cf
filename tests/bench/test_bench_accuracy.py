"""bench_accuracy: exact scoring on made-up predictions, and a run of the real collector on a tiny tree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.bench_accuracy import Prediction, hide_heldout, main, render_text, score
from benchmarks.evidence.labels import LabelFile

KINDS = ["has_ci_pipeline", "has_unit_tests", "has_container", "tags_releases"]


def label(kind: str, present: bool, uncertain: bool = False) -> dict:
    return {"kind": kind, "present": present, "paths": ["x"] if present else [], "note": f"{kind} {present}", "uncertain": uncertain}


def labelled(name: str, split: str, values: dict[str, bool], decoy: bool = False, commit: str = "a" * 40, unsure: tuple[str, ...] = ()) -> dict:
    return {
        "repo": name,
        "commit": commit,
        "split": split,
        "kind_of_repo": "made up",
        "decoy": decoy,
        "labels": [label(k, values[k], k in unsure) for k in KINDS],
    }


def test_score_counts_every_outcome_per_kind_and_split() -> None:
    labels = LabelFile.model_validate(
        {
            "kinds": KINDS,
            "repos": [
                labelled("a/dev1", "dev", {"has_ci_pipeline": True, "has_unit_tests": True, "has_container": False, "tags_releases": True}),
                labelled("a/dev2", "dev", {"has_ci_pipeline": True, "has_unit_tests": False, "has_container": False, "tags_releases": False},
                         unsure=("has_container",)),
                labelled("a/decoy", "heldout", {k: False for k in KINDS}, decoy=True),
                labelled("a/absent", "dev", {k: True for k in KINDS}),
            ],
        }
    )
    predictions = {
        # TP ci, FN tests (fail), FP container (partial counts as present), tags not scored (no git)
        "a/dev1": Prediction({"has_ci_pipeline": "pass", "has_unit_tests": "fail", "has_container": "partial", "tags_releases": "pass"}, 1.0, history_scored=False),
        # FN ci (not_applicable), TN tests, uncertain container (agrees: absent), TN tags; error counted apart
        "a/dev2": Prediction({"has_ci_pipeline": "not_applicable", "has_unit_tests": "error", "has_container": "fail", "tags_releases": "fail"}, 2.0),
        # a false pass on a decoy; has_container unknown to this collector
        "a/decoy": Prediction({"has_ci_pipeline": "pass", "has_unit_tests": "fail", "tags_releases": "fail"}, 0.5),
    }
    report = score(labels, predictions, history_kinds={"tags_releases"}, known_kinds={"has_ci_pipeline", "has_unit_tests", "tags_releases"} | {"has_container"})
    dev = report["splits"]["dev"]
    assert dev["repos"] == ["a/dev1", "a/dev2"]
    assert dev["per_kind"]["has_ci_pipeline"] == {"tp": 1, "fp": 0, "fn": 1, "tn": 0, "precision": 1.0, "recall": 0.5}
    assert dev["per_kind"]["has_unit_tests"] == {"tp": 0, "fp": 0, "fn": 1, "tn": 1, "precision": None, "recall": 0.0}
    assert dev["per_kind"]["has_container"] == {"tp": 0, "fp": 1, "fn": 0, "tn": 0, "precision": 0.0, "recall": None}
    assert dev["per_kind"]["tags_releases"] == {"tp": 0, "fp": 0, "fn": 0, "tn": 1, "precision": None, "recall": None}
    assert dev["overall"] == {"tp": 1, "fp": 1, "fn": 2, "tn": 2, "precision": 0.5, "recall": 0.333}
    assert dev["uncertain"] == {"agree": 1, "disagree": 0}
    assert dev["detector_errors"] == [{"repo": "a/dev2", "kind": "has_unit_tests"}]
    assert {(e["repo"], e["kind"], e["error"]) for e in dev["errors"]} == {
        ("a/dev1", "has_unit_tests", "miss"), ("a/dev1", "has_container", "false pass"), ("a/dev2", "has_ci_pipeline", "miss")
    }
    held = report["splits"]["heldout"]
    assert held["overall"] == {"tp": 0, "fp": 1, "fn": 0, "tn": 2, "precision": 0.0, "recall": None}
    assert report["decoy_false_passes"] == [{"repo": "a/decoy", "kind": "has_ci_pipeline", "split": "heldout", "documents_only": False}]
    assert {(n["repo"], n["kind"]) for n in report["not_scored"]} == {("a/dev1", "tags_releases"), ("a/decoy", "has_container")}
    # The text report names a held-out decoy's false pass only on request: which decoy fails on which
    # kind is a held-out error like any other, and printing it by default invites tuning on it.
    run = {**report, "labels": "labels.yaml", "root": "checkouts", "tool_version": "0", "timing": [], "skipped": [], "missing_label_paths": []}
    hidden = render_text(run, show_heldout_errors=False)
    assert "false passes on decoys: 1" in hidden and "a/decoy (heldout)" not in hidden
    assert "1 on held-out decoy(s), listed only with --show-heldout-errors" in hidden
    assert "a/decoy (heldout): has_ci_pipeline" in render_text(run, show_heldout_errors=True)
    # ... and so do the JSON and Markdown reports (they once printed the held-out decoys' names).
    masked = hide_heldout(run)
    assert "a/decoy" not in json.dumps(masked["decoy_false_passes"]) and masked["heldout_decoy_false_passes"] == 1
    assert masked["splits"]["heldout"]["errors_count"] == 1 and isinstance(masked["splits"]["heldout"]["errors"], str)
    assert masked["splits"]["dev"] == report["splits"]["dev"] and report["decoy_false_passes"]  # the input is not changed


def test_score_lists_kinds_the_collector_does_not_have() -> None:
    labels = LabelFile.model_validate({"kinds": KINDS, "repos": [labelled("a/one", "dev", {k: True for k in KINDS})]})
    report = score(labels, {"a/one": Prediction({k: "pass" for k in KINDS}, 0.1)}, known_kinds={"has_ci_pipeline"})
    assert report["splits"]["dev"]["overall"]["tp"] == 1
    assert [n["kind"] for n in report["not_scored"]] == ["has_unit_tests", "has_container", "tags_releases"]


# --- the real collector on a generated tree ------------------------------------------------------

WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e . && pytest -q
"""
MODEL = '''def predict_price(rooms: int) -> float:
    """A tiny model: price grows with the number of rooms."""
    return 50_000.0 + 25_000.0 * rooms
'''
TEST = '''from houses.model import predict_price


def test_more_rooms_cost_more():
    assert predict_price(3) > predict_price(2)


def test_base_price():
    assert predict_price(0) == 50_000.0
'''
DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e .
CMD ["python", "-m", "houses.serve"]
"""


def git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="ann", GIT_AUTHOR_EMAIL="ann@example.com", GIT_COMMITTER_NAME="ann",
        GIT_COMMITTER_EMAIL="ann@example.com", GIT_AUTHOR_DATE="@1700000000 +0000", GIT_COMMITTER_DATE="@1700000000 +0000",
    )
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True, timeout=30).stdout.strip()


def build_tree(root: Path) -> tuple[str, str]:
    """acme+houses: a small real project in git (tagged); acme+talk: a README-only decoy without git.
    Returns (HEAD of acme+houses, another commit of it)."""
    houses = root / "acme+houses"
    for rel, text in {
        ".github/workflows/ci.yml": WORKFLOW,
        "src/houses/__init__.py": "",
        "src/houses/model.py": MODEL,
        "tests/test_model.py": TEST,
        "Dockerfile": DOCKERFILE,
        "pyproject.toml": '[project]\nname = "houses"\nversion = "1.0.0"\ndependencies = ["fastapi==0.115.0"]\n',
    }.items():
        path = houses / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(houses, "init", "-q", "-b", "main")
    git(houses, "add", "-A")
    git(houses, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "houses")
    git(houses, "tag", "v1.0.0")
    head = git(houses, "rev-parse", "HEAD")
    talk = root / "acme+talk"
    talk.mkdir()
    (talk / "README.md").write_text(
        "# MLOps done right\nWe use CI, unit tests, Docker containers and tagged releases everywhere.\n", encoding="utf-8"
    )
    return head, "f" * 40


def labels_file(path: Path, head: str) -> Path:
    lines = [f"kinds: [{', '.join(KINDS)}]", "repos:"]
    entries = [
        ("acme/houses", head, "dev", False, {"has_ci_pipeline": True, "has_unit_tests": True, "has_container": True, "tags_releases": True}),
        ("acme/talk", "0" * 40, "heldout", True, {k: False for k in KINDS}),
        ("acme/absent", "1" * 40, "dev", False, {k: False for k in KINDS}),
    ]
    for number, (name, commit, split, decoy, values) in enumerate(entries, start=1):
        lines += [f"- repo: {name}", f"  commit: '{commit}'", f"  split: {split}", f"  batch: '{number}a'", "  kind_of_repo: made up", f"  decoy: {str(decoy).lower()}", "  labels:"]
        for kind in KINDS:
            paths = "[x]" if values[kind] else "[]"
            lines.append(f"  - {{kind: {kind}, present: {str(values[kind]).lower()}, paths: {paths}, note: read}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "checkouts"
    root.mkdir()
    head, _ = build_tree(root)
    return root, labels_file(tmp_path / "labels.yaml", head)


def test_runs_the_installed_collector_on_a_generated_labelled_tree(tree: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, labels = tree
    assert main(["--root", str(root), "--labels", str(labels), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == [{"repo": "acme/absent", "split": "dev", "reason": f"no checkout at {root / 'acme+absent'}"}]
    assert [t["repo"] for t in report["timing"]] == ["acme/houses", "acme/talk"]
    assert all(t["seconds"] >= 0 for t in report["timing"])
    dev, held = report["splits"]["dev"], report["splits"]["heldout"]
    assert dev["repos"] == ["acme/houses"] and held["repos"] == ["acme/talk"]
    # Every label of a scored repository is counted once (history kinds of the git-less decoy are not scored).
    assert sum(dev["overall"][k] for k in ("tp", "fp", "fn", "tn")) == len(KINDS)
    assert sum(held["overall"][k] for k in ("tp", "fp", "fn", "tn")) == len(KINDS) - 1
    assert {"repo": "acme/talk", "kind": "tags_releases", "reason": "the checkout has no git history"} in report["not_scored"]
    # The unmistakable cases: CI on push that runs pytest, tests that call project code, a git tag.
    for kind in ("has_ci_pipeline", "has_unit_tests", "tags_releases"):
        assert dev["per_kind"][kind]["tp"] == 1, kind
    # A README that talks about everything gets no pass.
    assert report["decoy_false_passes"] == []
    assert held["errors"] == "hidden: run with --show-heldout-errors (do not tune on them)"
    assert held["errors_count"] == 0
    # Detectors the labels do not cover are named, not silently ignored.
    assert "serves_model" in report["unlabelled_detectors"] and "has_ci_pipeline" not in report["unlabelled_detectors"]
    # The made-up labels name a path "x" that is not in the checkout: reported, one per label.
    assert report["missing_label_paths"] == [{"repo": "acme/houses", "path": f"{kind}: x"} for kind in KINDS]


def test_a_checkout_at_another_commit_is_skipped_not_scored(tree: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, labels = tree
    labels.write_text(labels.read_text(encoding="utf-8").replace(git(root / "acme+houses", "rev-parse", "HEAD"), "2" * 40), encoding="utf-8")
    assert main(["--root", str(root), "--labels", str(labels), "--json", "--split", "dev"]) == 0
    report = json.loads(capsys.readouterr().out)
    reasons = {s["repo"]: s["reason"] for s in report["skipped"]}
    assert reasons["acme/houses"].startswith("checkout is at ") and "labels are for 222222222222" in reasons["acme/houses"]
    assert report["splits"]["dev"]["repos"] == [] and report["splits"]["heldout"]["repos"] == []


def test_label_paths_are_checked_against_the_checkout(tmp_path: Path) -> None:
    from benchmarks.bench_accuracy import missing_label_paths
    from benchmarks.evidence.labels import LabelledRepo

    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text("print()\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "one")
    git(root, "tag", "v1")
    repo = LabelledRepo.model_validate(
        {
            "repo": "acme/one", "commit": "a" * 40, "split": "dev", "kind_of_repo": "x",
            "labels": [
                {"kind": "tags_releases", "present": True, "paths": ["refs/tags/v1", "refs/tags/v2"], "note": "n"},
                {"kind": "is_reproducible", "present": True, "paths": ["src/train.py", "src", "params.yaml"], "note": "n"},
            ],
        }
    )
    assert missing_label_paths(repo, root, has_history=True) == ["tags_releases: refs/tags/v2", "is_reproducible: params.yaml"]
    # Without git history the tags cannot be checked, so only files are.
    assert missing_label_paths(repo, root, has_history=False) == ["is_reproducible: params.yaml"]


def test_text_report_and_bad_input(tree: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, labels = tree
    assert main(["--root", str(root), "--labels", str(labels), "--repo", "acme/talk", "--show-heldout-errors"]) == 0
    out = capsys.readouterr().out
    assert "== heldout: 1 repositories scored ==" in out and "false passes on decoys: 0" in out
    assert "acme/talk" in out and "skipped repositories: 0 (and 2 not selected by --split/--repo)" in out
    assert main(["--root", str(root), "--labels", str(labels), "--repo", "acme/nowhere"]) == 2
    assert "not in" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("kinds: [has_ci_pipeline]\nrepos: []\n", encoding="utf-8")
    assert main(["--root", str(root), "--labels", str(broken)]) == 2
    assert str(broken) in capsys.readouterr().err


def test_markdown_tables_for_the_benchmarks_doc(tree: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, labels = tree
    assert main(["--root", str(root), "--labels", str(labels), "--markdown"]) == 0
    out = capsys.readouterr().out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines() if line.startswith("| ")}
    assert rows["acme/houses"].endswith("| dev |  | `" + git(root / "acme+houses", "rev-parse", "HEAD")[:12] + "` | yes |")
    assert rows["acme/absent"].endswith("| no |")  # listed, and said to be unscored
    assert rows["has_ci_pipeline"].startswith("| has_ci_pipeline | 1.000 | 1.000 | 1/0/0 |")
    assert "| **overall** |" in out and "False passes on decoys: 0." in out
    assert "over 2 repositories" in out


def test_batch_selects_the_repositories_of_a_labelling_batch(tree: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, labels = tree
    assert main(["--root", str(root), "--labels", str(labels), "--batch", "2", "--json"]) == 0  # 2 = 2a
    report = json.loads(capsys.readouterr().out)
    assert report["splits"]["heldout"]["repos"] == ["acme/talk"] and report["splits"]["dev"]["repos"] == []
    assert main(["--root", str(root), "--labels", str(labels), "--batch", "1a", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["splits"]["dev"]["repos"] == ["acme/houses"]
    assert main(["--root", str(root), "--labels", str(labels), "--batch", "9"]) == 2
    assert "--batch: no repository of batch 9" in capsys.readouterr().err


def test_decoys_and_projects_can_be_scored_apart(tree: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, labels = tree
    assert main(["--root", str(root), "--labels", str(labels), "--decoys", "only", "--json"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert main(["--root", str(root), "--labels", str(labels), "--decoys", "none", "--json"]) == 0
    none = json.loads(capsys.readouterr().out)
    scored_only = {r for s in only["splits"].values() for r in s["repos"]}
    scored_none = {r for s in none["splits"].values() for r in s["repos"]}
    assert scored_only == {"acme/talk"} and "acme/talk" not in scored_none and "acme/houses" in scored_none
    assert main(["--root", str(root), "--labels", str(labels), "--decoys", "only", "--repo", "acme/houses"]) == 2
    assert "--decoys only: no such repository selected" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["README.md", "docs/guide.md", "img/stack.png", "slides/talk.pdf", "data/sample.csv"], True),
        (["README.md", "notebooks/intro.ipynb"], False),
        (["README.md", "src/train.py"], False),
        (["README.md", "Dockerfile"], False),
        (["README.md", "deploy/Dockerfile.gpu"], False),
        (["README.md", ".github/workflows/links.yml"], False),
        (["README.md", "infra/main.tf"], False),
        (["README.md", "scripts/build.sh"], False),
        (["README.md", "docs/k8s/deployment.yaml"], False),
        (["README.md", "mkdocs.yml", "docs/index.md"], True),
    ],
)
def test_documents_only_means_no_code_container_iac_ci_or_script(paths: list[str], expected: bool) -> None:
    from benchmarks.bench_accuracy import documents_only

    assert documents_only(paths) is expected


def test_false_passes_on_documents_only_decoys_are_counted_apart(capsys: pytest.CaptureFixture[str]) -> None:
    labels = LabelFile.model_validate(
        {
            "kinds": KINDS,
            "repos": [
                labelled("a/list", "spent", {k: False for k in KINDS}, decoy=True),
                labelled("a/demo", "spent", {k: False for k in KINDS}, decoy=True),
                labelled("a/hidden-list", "heldout", {k: False for k in KINDS}, decoy=True),
            ],
        }
    )
    fails = {k: "fail" for k in KINDS}
    predictions = {
        "a/list": Prediction({**fails, "has_ci_pipeline": "pass"}, 0.1, documents_only=True),
        "a/demo": Prediction({**fails, "has_container": "pass", "has_unit_tests": "partial"}, 0.1, documents_only=False),
        "a/hidden-list": Prediction({**fails, "tags_releases": "pass"}, 0.1, documents_only=True),
    }
    report = {"labels": "l", "root": "r", "tool_version": "t", **score(labels, predictions), "timing": [], "skipped": [], "missing_label_paths": []}
    assert report["documents_only_decoys"] == [{"repo": "a/list", "split": "spent"}, {"repo": "a/hidden-list", "split": "heldout"}]
    assert [(d["repo"], d["documents_only"]) for d in report["decoy_false_passes"]] == [
        ("a/list", True), ("a/demo", False), ("a/demo", False), ("a/hidden-list", True)
    ]
    text = render_text(report, show_heldout_errors=False)
    assert "false passes on documents-only decoys (issue 12's target: none): 2 (of 2 documents-only decoys scored)" in text
    hidden = hide_heldout(report)
    assert hidden["heldout_documents_only_decoy_false_passes"] == 1 and hidden["heldout_documents_only_decoys"] == 1
    assert "a/hidden-list" not in json.dumps({k: hidden[k] for k in ("decoy_false_passes", "documents_only_decoys")})
