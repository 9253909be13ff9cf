"""Code inside a documentation site's source tree is documentation, not the project's code: left out
of the listing for every detector (documents stay), counted and named in the collection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.documents import find_documentation_code
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.report.console import collect_summary_lines

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SEEDED = "from sklearn.linear_model import SGDClassifier\n\n\ndef train(X, y):\n    return SGDClassifier(random_state=42).fit(X, y)\n"
LESSON = json.dumps({
    "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
               "source": ["from sklearn.linear_model import SGDClassifier\n", "SGDClassifier(random_state=42).fit([[0], [1]], [0, 1])\n"]}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
})


BODY = "\nX = [[0], [1]]\ny = [0, 1]\nmodel = train(X, y)\nscore = model.score(X, y)\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def outcome(root: Path, detector: str) -> str:
    return {f.detector: f for f in collect(root, now=NOW).findings}[detector].outcome.value


def left_out(root: Path) -> set[str]:
    return RepoIndex(root).stats.documentation.left_out


def test_a_lesson_notebook_in_a_mkdocs_docs_dir_is_left_out_and_reported(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'p'\n", "mkdocs.yml": "site_name: P\n", "docs/index.md": "# P\n",
        "docs/lessons/seeding.ipynb": LESSON, "src/model.py": "def fit(m, X, y):\n    return m.fit(X, y)\n",
    })
    index = RepoIndex(tmp_path)
    assert "docs/lessons/seeding.ipynb" not in index.files and "docs/index.md" in index.files and "src/model.py" in index.files
    result = collect(tmp_path, now=NOW)
    assert {f.detector: f for f in result.findings}["is_reproducible"].outcome.value != "pass"
    stats = result.stats.not_project_code
    assert stats.documentation_code_files == 1
    assert [(t.path, t.config, t.why, t.code_files) for t in stats.documentation_trees] == [("docs", "mkdocs.yml", "MkDocs docs_dir", 1)]
    assert any("1 Python files and notebooks of 1 documentation site tree(s)" in line for line in collect_summary_lines(result))


def test_the_same_seed_in_the_projects_train_script_passes(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'p'\n", "mkdocs.yml": "site_name: P\n", "docs/index.md": "# P\n",
        "docs/lessons/seeding.ipynb": LESSON, "src/train.py": SEEDED,
    })
    assert outcome(tmp_path, "is_reproducible") == "pass"


def test_a_docs_folder_without_a_site_configuration_is_the_projects_code(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'p'\n", "docs/index.md": "# P\n", "docs/train.py": SEEDED, "docs/lesson.ipynb": LESSON})
    assert left_out(tmp_path) == set()
    assert outcome(tmp_path, "is_reproducible") == "pass"


def test_a_folder_that_is_only_a_site_is_taken_whole(tmp_path: Path) -> None:
    """A course site (mkdocs.yml, docs/, a lesson notebook beside them, nothing that builds a project)."""
    write(tmp_path, {"mkdocs.yml": "site_name: Course\n", "docs/index.md": "# Course\n", "notebooks/lesson_01.ipynb": LESSON})
    found = RepoIndex(tmp_path).stats.documentation
    assert found.left_out == {"notebooks/lesson_01.ipynb"}
    assert [(t.path, t.why) for t in found.trees] == [("", "MkDocs site with no project files (whole folder)")]
    assert outcome(tmp_path, "is_reproducible") == "fail"


def test_a_site_folder_with_project_files_or_modules_is_not_taken_whole(tmp_path: Path) -> None:
    base = {"mkdocs.yml": "site_name: Course\n", "docs/index.md": "# Course\n", "notebooks/lesson_01.ipynb": LESSON}
    write(tmp_path / "with-requirements", {**base, "requirements.txt": "scikit-learn==1.5.0\n"})
    write(tmp_path / "with-module", {**base, "churn/model.py": "def fit(m, X, y):\n    return m.fit(X, y)\n"})
    for case in ("with-requirements", "with-module"):
        assert left_out(tmp_path / case) == set(), case
        assert outcome(tmp_path / case, "is_reproducible") == "pass", case


def test_a_folder_with_its_own_project_files_inside_a_docs_tree_keeps_its_code(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": "", "mkdocs.yml": "site_name: P\ndocs_dir: 'site_src'  # pages\n", "site_src/index.md": "# P\n",
        "site_src/examples/plot.py": "x = 1\n", "site_src/app/Dockerfile": "FROM python:3.12\n", "site_src/app/main.py": "x = 1\n",
    })
    assert left_out(tmp_path) == {"site_src/examples/plot.py"}


def test_sphinx_jupyter_book_quarto_and_built_sites(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": "", "src/p/__init__.py": "",
        "docs/conf.py": "project = 'p'\nextensions = ['sphinx_gallery.gen_gallery']\n", "docs/index.rst": "P\n=\n",
        "docs/examples/plot_search.py": "x = 1\n", "docs/_build/html/_downloads/plot_search.ipynb": LESSON,
        "book/_config.yml": "title: Book\n", "book/_toc.yml": "format: jb-book\nroot: intro\n", "book/intro.md": "# Intro\n", "book/ch1.ipynb": LESSON,
        "report/_quarto.yml": "project:\n  type: website\n  output-dir: public\n", "report/analysis.ipynb": LESSON,
        "report/public/analysis.py": "x = 1\n", "report/helpers.py": "x = 1\n",
        "mkdocs.yml": "site_name: P\n", "site/assets/search.py": "x = 1\n", "site/404.html": "<html></html>\n",
    })
    found = RepoIndex(tmp_path).stats.documentation
    assert found.left_out == {
        "docs/examples/plot_search.py", "docs/conf.py", "docs/_build/html/_downloads/plot_search.ipynb", "book/ch1.ipynb",
        "report/analysis.ipynb", "report/public/analysis.py", "report/helpers.py", "site/assets/search.py",
    }
    assert "src/p/__init__.py" not in found.left_out
    assert {(t.path, t.why) for t in found.trees} == {
        ("docs", "Sphinx source folder"), ("book", "Jupyter Book source folder"),
        ("report", "Quarto source folder"), ("site", "MkDocs built site (site_dir)"),
    }


def test_configurations_that_are_not_a_documentation_site(tmp_path: Path) -> None:
    write(tmp_path, {
        "web/mkdocs.yml": "site_name: W\n", "web/site/views.py": "x = 1\n",  # a site/ folder that is no MkDocs build (no index.html)
        "pyproject.toml": "", "train.py": SEEDED,
        "app/conf.py": "DEBUG = True\nextensions_enabled = False\n", "app/index.md": "# x\n", "app/job.py": SEEDED,  # a settings module, not Sphinx
        "conf.py": "extensions = []\n", "index.rst": "P\n=\n",  # Sphinx at the root of a project: the project documents itself in place
        "mkdocs.yml": "site_name: P\ndocs_dir: ../outside\nsite_dir: /var/www\n",
        "_toc.yml": "root: intro\n",  # a table of contents without a Jupyter Book _config.yml
    })
    found = find_documentation_code(sorted(RepoIndex(tmp_path).files), lambda rel: (tmp_path / rel).read_bytes())
    assert found.left_out == set() and found.trees == []
    assert found.notes == [
        "conf.py: documents the project in its own folder (the repository or a package root); not taken as a documentation tree",
        "mkdocs.yml: its docs_dir is outside the repository; not taken",
        "mkdocs.yml: its site_dir is outside the repository; not taken",
    ]


def test_design_documents_in_a_docs_tree_are_still_read(tmp_path: Path) -> None:
    prose = "The scoring service loads the model and answers requests. " * 12
    write(tmp_path, {
        "pyproject.toml": "", "mkdocs.yml": "site_name: P\nnav:\n  - Architecture: architecture.md\n",
        "docs/architecture.md": f"# Architecture\n\n{prose}\n", "docs/example.py": "x = 1\n",
        "src/p/train.py": SEEDED + BODY, "src/p/serve.py": SEEDED + BODY,
    })
    assert "docs/architecture.md" in RepoIndex(tmp_path).files
    assert outcome(tmp_path, "has_design_docs") == "pass"


def test_a_docs_dir_that_is_the_repository_keeps_the_code_of_folders_that_are_projects(tmp_path: Path) -> None:
    """`docs_dir: .` (a course site over the whole repository): lessons go, folders with their own
    build or CI files (the root with its CI, an exercise app with a Dockerfile) keep their code."""
    write(tmp_path, {
        "mkdocs.yml": "site_name: Course\ndocs_dir: .\n", "README.md": "# Course\n", ".github/workflows/docs.yml": "on: push\n",
        "tasks.py": "x = 1\n", "s1/exercise_files/solution.py": SEEDED, "s1/lesson.ipynb": LESSON,
        "s7/exercise_files/Dockerfile": "FROM python:3.12\n", "s7/exercise_files/app.py": "x = 1\n",
    })
    found = RepoIndex(tmp_path).stats.documentation
    assert found.left_out == {"s1/exercise_files/solution.py", "s1/lesson.ipynb"}
    assert [(t.path, t.why, t.code_files) for t in found.trees] == [("", "MkDocs docs_dir", 2)]
