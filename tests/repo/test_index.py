"""RepoIndex: one listing (git or ignore-aware walk), safe capped reads, hostile trees."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.gitignore import is_ignored, parse_gitignore
from mlops_audit.evidence.repo.index import MAX_FILE_BYTES, RepoIndex
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import all_detectors, get_detector
from tests.repo import gitreplay


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# Listing -----------------------------------------------------------------------------------------
def test_walk_honours_gitignore_files_at_every_level_and_skips_tool_folders(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.log\n/build/\ndata/*\n!data/keep.csv\n")
    write(tmp_path, "src/.gitignore", "secret.py\n")
    for rel in ["a.py", "x.log", "build/out.py", "data/big.csv", "data/keep.csv", "src/secret.py", "src/ok.py",
                "node_modules/pkg/index.js", ".venv/lib/x.py", "deep/build/kept.py"]:
        write(tmp_path, rel, "x = 1\n")
    index = RepoIndex(tmp_path)
    assert index.stats.listing == "walk"
    assert set(index.files) == {".gitignore", "a.py", "data/keep.csv", "src/.gitignore", "src/ok.py", "deep/build/kept.py"}


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "ignored"),
    [
        ("*.pyc", "a/b/c.pyc", False, True),
        ("/top.txt", "top.txt", False, True),
        ("/top.txt", "sub/top.txt", False, False),
        ("logs/", "logs", True, True),
        ("logs/", "logs", False, False),
        ("**/tmp", "a/b/tmp", True, True),
        ("a/**/z.py", "a/z.py", False, True),
        ("a/**/z.py", "a/b/c/z.py", False, True),
        ("doc/*.md", "doc/x/y.md", False, False),
        ("[Tt]est?.py", "Test1.py", False, True),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, is_dir: bool, ignored: bool) -> None:
    assert is_ignored(parse_gitignore(pattern, ""), path, is_dir) is ignored


def test_git_work_tree_is_listed_by_git_with_untracked_but_not_ignored_files(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.tmp\n")
    write(tmp_path, "tracked.py", "x = 1\n")
    gitreplay.init(tmp_path)
    gitreplay.git(tmp_path, "add", ".")
    gitreplay.commit(tmp_path, "alice", ["tracked.py"], 1)
    write(tmp_path, "untracked.py", "y = 2\n")
    write(tmp_path, "junk.tmp", "z\n")
    index = RepoIndex(tmp_path)
    assert index.stats.listing == "git"
    assert set(index.files) == {".gitignore", "tracked.py", "untracked.py"}


def test_git_listing_leaves_out_deleted_files_links_submodule_style_entries_and_sparse_checkout_gaps(tmp_path: Path) -> None:
    for rel in ("kept.py", "deleted.py", "sparse/CODEOWNERS"):
        write(tmp_path, rel, "x\n")
    os.symlink("kept.py", tmp_path / "link.py")
    gitreplay.init(tmp_path)
    gitreplay.git(tmp_path, "add", ".")
    gitreplay.commit(tmp_path, "alice", ["kept.py"], 1)
    (tmp_path / "deleted.py").unlink()  # deleted in the work tree, still in the index
    gitreplay.git(tmp_path, "update-index", "--skip-worktree", "sparse/CODEOWNERS")
    (tmp_path / "sparse" / "CODEOWNERS").unlink()  # what a sparse checkout leaves out
    index = RepoIndex(tmp_path)
    assert index.stats.listing == "git"
    assert set(index.files) == {"kept.py"}  # never a file that is not there to read
    assert index.stats.skipped_links_or_special == 1  # the tracked link


def test_a_subfolder_of_a_git_repository_is_walked_not_listed_by_the_parent_repository(tmp_path: Path) -> None:
    write(tmp_path, "inner/a.py", "x = 1\n")
    gitreplay.init(tmp_path)
    index = RepoIndex(tmp_path / "inner")
    assert index.stats.listing == "walk" and not index.is_git


def test_a_missing_folder_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        RepoIndex(tmp_path / "nope")


# Hostile trees -------------------------------------------------------------------------------------
@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = write(tmp_path, "outside/secret.py", "import mlflow\nmlflow.log_param('stolen', 1)\n")
    return secret


def hostile_tree(root: Path, outside_file: Path) -> None:
    os.symlink("/", root / "rootlink")
    os.symlink(outside_file, root / "train.py")
    os.symlink(outside_file.parent, root / "src")
    write(root, "README.md", "# hostile\n")
    with open(root / "huge_model.py", "wb") as handle:  # 2 GB, sparse: costs no disk
        os.truncate(handle.fileno(), 2 * 1024**3)
    with open(root / "huge.ipynb", "wb") as handle:
        os.truncate(handle.fileno(), 2 * 1024**3)
    write(root, "binary.py", bytes(range(256)) * 64)
    write(root, "latin1.py", b"# caf\xe9\nx = '\xff\xfe'\nimport optuna\n")
    write(root, "bad.yaml", b"key: \xff\xfe\n")
    laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        laughs += f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    write(root, ".github/workflows/laughs.yml", "on: push\n" + laughs)
    write(root, "k8s/laughs.yaml", "apiVersion: v1\nkind: Deployment\n" + laughs)
    write(root, "deep.json", "[" * 200_000 + "]" * 200_000)
    write(root, "deep.ipynb", '{"cells": ' + "[" * 200_000 + "]" * 200_000 + "}")
    write(root, "pyproject.toml", "a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    write(root, "deep.py", "x = " + "(" * 100_000 + ")" * 100_000 + "\n")
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Results\n"]},
            {
                "cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["print('hello')\n"],
                "outputs": [
                    {"output_type": "display_data", "metadata": {}, "data": {
                        "text/html": ["<script>alert(1)</script><img src=x onerror=alert(2)>"],
                        "application/javascript": ["import mlflow; mlflow.log_param('x', 1)"],
                        "text/plain": ["import mlflow\nmlflow.log_param('x', 1)\nGridSearchCV()"],
                    }},
                    {"output_type": "stream", "name": "stdout", "text": ["mlflow.log_metric('auc', 1)\n"]},
                ],
            },
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    write(root, "analysis.ipynb", json.dumps(notebook))
    os.mkfifo(root / "pipe.py")


@pytest.mark.parametrize("listing", ["walk", "git"])
def test_hostile_tree_is_scanned_without_escape_crash_or_unbounded_memory(tmp_path: Path, outside: Path, listing: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    hostile_tree(root, outside)
    if listing == "git":
        gitreplay.init(root)
        gitreplay.git(root, "add", "README.md", "train.py", "rootlink", "src")
    tracemalloc.start()
    try:
        index = build_index(root)
        findings = {d.id: run_detector(d, index) for d in all_detectors()}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert index.stats.listing == listing
    # Links are never listed nor followed; the FIFO is not a regular file.
    assert not {"rootlink", "train.py", "src", "pipe.py"} & set(index.files)
    assert not any(f.startswith(("rootlink/", "src/")) for f in index.files)
    assert index.stats.skipped_links_or_special >= 1
    # Oversized files are listed but never read.
    assert "huge_model.py" in index.files and index.read_bytes("huge_model.py") is None
    assert index.stats.bytes_read < 20 * MAX_FILE_BYTES
    assert peak < 96 * 1024 * 1024, f"peak traced memory {peak / 2**20:.0f} MiB"
    # No detector crashed, and nothing outside the root or inside notebook outputs counted as evidence.
    assert not [i for i, e in findings.items() if e.outcome is FindingOutcome.error]
    assert findings["tracks_experiments"].outcome is FindingOutcome.fail
    # `import optuna` in latin1.py and GridSearchCV() in a notebook output: neither is a search.
    assert findings["tunes_hyperparameters"].outcome is FindingOutcome.fail
    for evidence in findings.values():
        for loc in evidence.locations:
            assert (root / loc.path).resolve().is_relative_to(root.resolve())
    assert any("alias" in p or "anchor" in p for p in index.problems)


def test_reads_refuse_paths_that_became_links_after_listing(tmp_path: Path, outside: Path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    index = RepoIndex(tmp_path)
    (tmp_path / "a.py").unlink()
    os.symlink(outside, tmp_path / "a.py")
    assert index.read_bytes("a.py") is None
    assert index.read_bytes("../outside/secret.py") is None  # never listed, never read


def test_reads_refuse_files_reached_through_a_folder_swapped_for_a_link(tmp_path: Path, outside: Path) -> None:
    write(tmp_path, "repo/pkg/secret.py", "x = 1\n")
    index = RepoIndex(tmp_path / "repo")
    (tmp_path / "repo" / "pkg" / "secret.py").unlink()
    (tmp_path / "repo" / "pkg").rmdir()
    os.symlink(outside.parent, tmp_path / "repo" / "pkg")  # pkg/secret.py now resolves outside the root
    assert index.read_bytes("pkg/secret.py") is None
    assert index.stats.skipped_links_or_special == 1


def test_binary_and_invalid_utf8_files_do_not_break_parsing(tmp_path: Path) -> None:
    write(tmp_path, "blob.py", b"\x00\x01\x02import mlflow")
    write(tmp_path, "odd.py", b"import mlflow\nmlflow.log_param('a', '\xff')\n")
    index = RepoIndex(tmp_path)
    assert index.text("blob.py") is None and index.python("blob.py") is None
    summary = index.python("odd.py")
    assert summary is not None and summary.calls_to("mlflow.log_param")


def test_hostile_git_config_cannot_make_the_scan_run_commands(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    write(root, "README.md", "# x\n")
    gitreplay.init(root)
    gitreplay.commit(root, "mallory", ["README.md"], 1, tag="v1")
    marker = tmp_path / "pwned"
    hook = write(tmp_path, "evil.sh", f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    hook.chmod(0o755)
    with open(root / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[core]\n\tfsmonitor = {hook}\n[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {hook}\n")
        config.write(f"[diff]\n\texternal = {hook}\n[core]\n\tpager = {hook}\n")
    index = build_index(root)
    for det in all_detectors():
        run_detector(det, index)
    assert index.stats.listing == "git"
    assert index.git_signals().present and index.git_signals().tags == 1
    assert not marker.exists()


def test_notebooks_are_read_as_code_and_markdown_cells_only(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "code", "source": ["import optuna as o\n"], "outputs": [{"text": "GridSearchCV()"}]},
        {"cell_type": "code", "source": "%%bash\necho not python\n"},
        {"cell_type": "code", "source": "!pip install optuna\nstudy = o.create_study()\n"},
        {"cell_type": "markdown", "source": "We also tried mlflow.log_param."},
    ]
    write(tmp_path, "nb.ipynb", json.dumps({"cells": cells}))
    index = RepoIndex(tmp_path)
    notebook = index.notebook("nb.ipynb")
    assert notebook is not None and len(notebook.code_cells) == 3 and len(notebook.markdown_cells) == 1
    summary = index.python("nb.ipynb")
    assert summary is not None and summary.syntax_errors == 0
    assert [c.name for c in summary.calls_to("optuna")] == ["optuna.create_study"]
    assert run_detector(get_detector("tunes_hyperparameters"), build_index(tmp_path)).outcome is FindingOutcome.pass_
    assert run_detector(get_detector("tracks_experiments"), build_index(tmp_path)).outcome is FindingOutcome.fail


def test_notebook_cells_with_shell_escapes_in_blocks_or_assignments_are_still_read(tmp_path: Path) -> None:
    """Cells of real notebooks (vertex-ai-samples): a shell escape as the only statement of a block,
    `x = !cmd`, and a `!pip install` continued over several lines. The Python around them counts."""
    cells = [
        "import mlflow\nif os.getenv('IS_TESTING'):\n    ! gcloud storage rm -r $BUCKET\nmlflow.log_param('a', 1)\n",
        "project = ! gcloud config list --format 'value(core.project)'\nmlflow.log_metric('m', 2)\n",
        "! pip install --quiet mlflow \\\n    google-cloud-storage \\\n    pandas\nmlflow.autolog()\n",
        "x = 1 if a != b else 2\nfiles, more = %sx ls\n",
    ]
    write(tmp_path, "nb.ipynb", json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]}))
    summary = RepoIndex(tmp_path).python("nb.ipynb")
    assert summary is not None and summary.syntax_errors == 0
    assert [c.name for c in summary.calls_to("mlflow")] == ["mlflow.log_param", "mlflow.log_metric", "mlflow.autolog"]


def test_multi_document_yaml_keeps_true_line_numbers(tmp_path: Path) -> None:
    write(tmp_path, "m.yaml", "a: 1\n---\n# comment\nkind: Service\n---\nkind: Deployment\n")
    docs = RepoIndex(tmp_path).yaml_documents("m.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"kind": "Service"}, {"kind": "Deployment"}]
    assert [d.locate(("kind",)) for d in docs[1:]] == [(4, 1), (6, 1)]


def test_undeclared_needles_are_a_programming_error(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    index = RepoIndex(tmp_path, needles=["mlflow"])
    with pytest.raises(ValueError, match="not declared"):
        index.python_mentioning("optuna")


def test_many_yaml_documents_in_one_stream_are_not_mistaken_for_aliases(tmp_path: Path) -> None:
    docs = "\n---\n".join(f"kind: Role\nmetadata:\n  name: r{i}\nrules:\n  - verbs: [get, list]\n" for i in range(300))
    write(tmp_path, "rbac.yaml", docs)
    index = RepoIndex(tmp_path)
    assert len(index.yaml_documents("rbac.yaml")) == 300
    assert not index.problems


def test_yaml_aliases_are_expanded_in_every_document_of_a_stream(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "kind: A\n---\nbase: &b {x: 1}\nother: *b\n---\nbase: &b {y: 2}\nother: *b\n")
    index = RepoIndex(tmp_path)
    assert [d.data for d in index.yaml_documents("a.yaml")] == [
        {"kind": "A"}, {"base": {"x": 1}, "other": {"x": 1}}, {"base": {"y": 2}, "other": {"y": 2}}
    ]
    assert index.yaml_documents("a.yaml")[1].where(("other", "x")) == "a.yaml:3:11"  # where the anchored value is written
    assert not index.problems


def test_a_billion_laughs_file_is_refused_by_name_and_the_scan_goes_on(tmp_path: Path) -> None:
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        laughs += f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    write(tmp_path, ".gitlab-ci.yml", "kind: A\n---\n" + laughs)
    write(tmp_path, "k8s/ok.yaml", "defaults: &d {image: app:1}\nspec:\n  <<: *d\n")
    index = RepoIndex(tmp_path)
    assert index.yaml_documents(".gitlab-ci.yml") == []
    [problem] = index.problems
    assert problem.startswith(".gitlab-ci.yml: YAML aliases expand to more than") and "billion laughs" in problem
    assert index.yaml("k8s/ok.yaml").data["spec"] == {"image": "app:1"}  # type: ignore[union-attr]


YAML_SAMPLES = [
    "on:\n  push:\n    branches: [main]\njobs:\n  test:\n    steps:\n      - run: pytest\n",
    "apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80}]\nwhen: 2024-01-01\nempty:\n",
    "- 1\n- [2, [3, {a: b}]]\n",
    "a: &x 1\nb: *x\n",  # alias
    "base: &b {x: 1}\n<<: *b\n",  # merge key
    "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 0\n",  # list of merges: written keys win, then earlier merges
    "a: &a [*a]\n",  # a recursive alias: refused by the nesting cap
    "a: 1\n<<: [1, 2]\n",  # a merge of something other than mappings
    "a: 1\na: 2\n",  # duplicate key
    "? [1, 2]\n: complex key\n",
    "a: [unclosed\n",
    "x: " + "[" * 100 + "]" * 100 + "\n",  # too deep
]


@pytest.mark.parametrize("text", YAML_SAMPLES)
def test_libyaml_documents_follow_the_rules_of_safeyaml_exactly(text: str) -> None:
    """The collector composes YAML with libyaml for speed; data, positions and refusals must be
    those of `mlops_audit.util.safeyaml` in its mode for scanned files, the project's one YAML policy."""
    from mlops_audit.evidence.repo import fastyaml
    from mlops_audit.util.safeyaml import load_yaml_text

    if not fastyaml.HAVE_LIBYAML:
        pytest.skip("PyYAML built without libyaml: the collector uses safeyaml itself")

    def outcome(load):  # type: ignore[no-untyped-def]
        try:
            return ("ok", load())
        except InputError as exc:
            return ("refused", type(exc).__name__)

    fast = outcome(lambda: [(d.data, d.positions) for d in fastyaml.load_documents(text, "f.yaml")])
    safe = outcome(lambda: [(lambda d: (d.data, d.positions))(load_yaml_text(text, "f.yaml", aliases=True))])
    assert fast == safe


def test_application_tags_are_read_as_plain_values_not_constructed(tmp_path: Path) -> None:
    write(tmp_path, "cfn.yml", "Resources:\n  E:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n      Name: !Ref Model\n      Arn: !GetAtt [Role, Arn]\n")
    index = RepoIndex(tmp_path)
    doc = index.yaml("cfn.yml")
    assert doc is not None and doc.data["Resources"]["E"]["Properties"] == {"Name": "Model", "Arn": ["Role", "Arn"]}


def test_without_libyaml_the_index_falls_back_to_safeyaml_per_document(tmp_path: Path, monkeypatch) -> None:
    from mlops_audit.evidence.repo import fastyaml

    monkeypatch.setattr(fastyaml, "HAVE_LIBYAML", False)
    write(tmp_path, "m.yaml", "a: 1\n---\nkind: Service\n---\nb: 1\nb: 2\n---\nb: &x {y: 1}\nc:\n  <<: *x\n")
    index = RepoIndex(tmp_path)
    assert [d.data for d in index.yaml_documents("m.yaml")] == [{"a": 1}, {"kind": "Service"}, {"b": {"y": 1}, "c": {"y": 1}}]
    assert [d.locate(("kind",)) for d in index.yaml_documents("m.yaml")[1:2]] == [(3, 1)]
    assert [d.locate(("c", "y")) for d in index.yaml_documents("m.yaml")[2:]] == [(8, 8)]
    assert index.problems == ["m.yaml:6:1: duplicate key 'b' at (document root)"]
