"""Installed distributions and vendored folders are not the project's code: left out of the listing
(for every detector), counted and named in the collection; RECORD files are untrusted input."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.thirdparty import record_entries
from mlops_audit.report.console import collect_summary_lines

SEEDED_TRAINING = "import numpy as np\n\ndef train(X, y, model):\n    np.random.seed(42)\n    return model.fit(X, y)\n"
ESCAPE = "x = 1\n"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def digest(text: str) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


def install(root: Path, target: str, name: str, files: dict[str, str], extra_lines: tuple[str, ...] = (), metadata: bool = True) -> None:
    """Write `files` under `target` and a `name-1.0.dist-info` with a RECORD listing them (right digests)."""
    base = f"{target}/" if target else ""
    info = f"{name}-1.0.dist-info"
    lines = []
    for rel, text in files.items():
        write(root, base + rel, text)
        lines.append(f"{rel},{digest(text)},{len(text)}")
    if metadata:
        meta = f"Name: {name}\n"
        write(root, f"{base}{info}/METADATA", meta)
        lines.append(f"{info}/METADATA,{digest(meta)},{len(meta)}")
    lines += [*extra_lines, f"{info}/RECORD,,"]
    write(root, f"{base}{info}/RECORD", "\n".join(lines) + "\n")


def project(root: Path) -> None:
    write(root, "pyproject.toml", "[project]\nname = 'p'\n")
    write(root, "src/model.py", "def predict(x):\n    return x\n")


def test_an_installed_distribution_leaves_the_listing_and_is_counted(tmp_path: Path) -> None:
    project(tmp_path)
    install(tmp_path, "lambda/package", "numpy", {"numpy/core.py": SEEDED_TRAINING, "numpy/tests/test_core.py": "def test_x():\n    assert 1\n"})
    index = RepoIndex(tmp_path)
    assert not any(f.startswith("lambda/") for f in index.files)
    assert "src/model.py" in index.files
    installed = index.stats.installed
    assert [d.metadata for d in installed.distributions] == ["lambda/package/numpy-1.0.dist-info"]
    assert installed.distributions[0].files == 4 and installed.python_files == 2  # two modules, METADATA, RECORD
    result = collect(tmp_path, now=NOW)
    left = result.stats.not_project_code
    assert (left.installed_distributions, left.installed_files, left.installed_python_files) == (1, 4, 2)
    assert left.folders == ["lambda/package/numpy-1.0.dist-info"]
    # Its seeds and tests are not the project's.
    by_id = {f.detector: f for f in result.findings}
    assert all(not loc.path.startswith("lambda/") for f in result.findings for loc in f.locations)
    assert by_id["is_reproducible"].outcome.value != "pass"
    assert any("left out as not the project's code: 2 Python files (4 files) of 1 installed distribution" in line for line in collect_summary_lines(result))


def test_the_same_tree_without_a_record_counts_the_code_as_the_projects(tmp_path: Path) -> None:
    project(tmp_path)
    write(tmp_path, "lambda/package/numpy/core.py", SEEDED_TRAINING)
    result = collect(tmp_path, now=NOW)
    assert result.stats.not_project_code.installed_distributions == 0
    assert {f.detector: f for f in result.findings}["is_reproducible"].outcome.value == "pass"


def test_a_fake_record_beside_the_projects_build_files_hides_nothing(tmp_path: Path) -> None:
    """A repository shipping a made-up dist-info at its root to hide its code from the audit."""
    project(tmp_path)
    install(tmp_path, "", "fake", {"src/train.py": SEEDED_TRAINING})
    index = RepoIndex(tmp_path)
    assert "src/train.py" in index.files and index.stats.installed.distributions == []
    assert any("fake-1.0.dist-info/RECORD: not believed: its folder also holds the project's build files" in p for p in index.problems)


def test_a_fake_record_cannot_hide_requirements_or_root_files(tmp_path: Path) -> None:
    """Hiding can only remove what a detector sees: a failing thing (an unpinned requirements file,
    a Dockerfile) lives in a folder with build files, which a RECORD never hides."""
    write(tmp_path, "train.py", SEEDED_TRAINING)
    install(tmp_path, "", "fake", {"deps/requirements.txt": "torch\n", "deps/helper.py": "x = 1\n", "lib/helper.py": "x = 1\n", "top.py": "y = 2\n",
         "env/requirements-gpu.txt": "torch\n", "docker/Dockerfile.gpu": "FROM python\n"})
    index = RepoIndex(tmp_path)
    assert {"deps/requirements.txt", "deps/helper.py", "top.py", "train.py", "env/requirements-gpu.txt", "docker/Dockerfile.gpu"} <= set(index.files)
    assert "lib/helper.py" not in index.files  # a plain module in a folder with no project files: left out, and named
    assert [d.metadata for d in index.stats.installed.distributions] == ["fake-1.0.dist-info"]
    assert any("fake-1.0.dist-info/RECORD: 4 file(s) it lists not believed" in p for p in index.problems)


def test_record_lines_must_be_plain_paths_inside_their_folder_and_match_their_digest(tmp_path: Path) -> None:
    project(tmp_path)
    write(tmp_path, "lib/site/pkg/changed.py", "patched = True\n")
    write(tmp_path, "lib/other/escape.py", ESCAPE)
    install(
        tmp_path, "lib/site", "pkg", {"pkg/kept.py": "a = 1\n"},
        extra_lines=(
            "pkg/changed.py," + digest("original = True\n") + ",15",  # changed since installed: the project's change
            "../other/escape.py," + digest(ESCAPE) + ",6",  # leaves its folder
            "/etc/passwd," + digest("x") + ",1",
            "pkg/../../other/escape.py," + digest(ESCAPE) + ",6",
            "pkg\\kept.py," + digest("a = 1\n") + ",6",
            "pkg/nodigest.py,,",
        ),
    )
    write(tmp_path, "lib/site/pkg/nodigest.py", "b = 2\n")
    index = RepoIndex(tmp_path)
    assert "lib/site/pkg/kept.py" not in index.files
    assert {"lib/site/pkg/changed.py", "lib/other/escape.py", "lib/site/pkg/nodigest.py", "src/model.py"} <= set(index.files)
    assert any("lib/site/pkg-1.0.dist-info/RECORD: 2 file(s) it lists not believed" in p for p in index.problems)


def test_a_record_without_metadata_is_not_believed(tmp_path: Path) -> None:
    install(tmp_path, "lib", "pkg", {"pkg/mod.py": "a = 1\n"}, metadata=False)
    index = RepoIndex(tmp_path)
    assert "lib/pkg/mod.py" in index.files
    assert any("no METADATA" in p for p in index.problems)


def test_record_entries_are_csv_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    assert record_entries('"a,b.py",sha256=x,1\nc.py,,\n\n') == [("a,b.py", "sha256=x"), ("c.py", "")]
    from mlops_audit.evidence.repo import thirdparty

    monkeypatch.setattr(thirdparty, "MAX_RECORD_LINES", 2)
    assert len(record_entries("a,,\nb,,\nc,,\n")) == 2


def test_legacy_installed_files_txt_is_read_relative_to_the_egg_info(tmp_path: Path) -> None:
    project(tmp_path)
    write(tmp_path, "env/lib/oldpkg/__init__.py", "x = 1\n")
    write(tmp_path, "env/lib/oldpkg.egg-info/PKG-INFO", "Name: oldpkg\n")
    write(tmp_path, "env/lib/oldpkg.egg-info/installed-files.txt", "../oldpkg/__init__.py\nPKG-INFO\n../../../src/model.py\n")
    # A development egg-info of the project itself lists its sources in SOURCES.txt: never read.
    write(tmp_path, "src/p.egg-info/PKG-INFO", "Name: p\n")
    write(tmp_path, "src/p.egg-info/SOURCES.txt", "src/model.py\n")
    index = RepoIndex(tmp_path)
    assert "env/lib/oldpkg/__init__.py" not in index.files
    assert "src/model.py" in index.files
    assert [d.metadata for d in index.stats.installed.distributions] == ["env/lib/oldpkg.egg-info"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.parametrize("use_git", [False, True])
def test_vendored_folders_are_named_the_same_by_the_walk_and_by_git(tmp_path: Path, use_git: bool) -> None:
    project(tmp_path)
    for rel in ("third_party/lib/a.py", "app/node_modules/x/index.js", "pkg/_vendor/six.py", "fixtures/vendor/v.py", "deps/vendor/v.py"):
        write(tmp_path, rel, "x = 1\n")
    write(tmp_path, "web/node_modules/ignored.js", "x\n")
    write(tmp_path, ".gitignore", "web/node_modules/\n")
    if use_git:
        _git(tmp_path, "init", "-q")
        _git(tmp_path, "add", "-A")
    index = RepoIndex(tmp_path)
    assert index.stats.listing == ("git" if use_git else "walk")
    # The topmost skipped folder of each, when it is other people's code (not a test-data folder); an ignored one is not named.
    assert sorted(index.stats.vendored) == ["app/node_modules", "deps/vendor", "pkg/_vendor", "third_party"]
    assert collect(tmp_path, now=NOW).stats.not_project_code.vendored_folders == 4
