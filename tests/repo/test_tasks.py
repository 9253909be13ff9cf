"""Task runners are followed to the commands they run (never executed), loops and depth bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.collect import build_index
from mlops_audit.evidence.repo.tasks import expand


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _run(tmp_path: Path, files: dict[str, str], command: str) -> list[tuple[str, int | None, str]]:
    repo = build_index(_tree(tmp_path, files))
    return [(c.text, c.line, c.via) for c in expand(repo, command)]


@pytest.mark.parametrize(
    ("files", "command", "expected"),
    [
        ({"Makefile": "check: lint\n\nlint:\n\t@ruff check .\n\t-bandit -r src\n"}, "make check",
         [("ruff check .", 4, "make check > make lint"), ("bandit -r src", 5, "make check > make lint")]),
        ({"Makefile": "VAR := 1\nall:\n\tpytest\n"}, "make", [("pytest", 3, "make all")]),
        ({"justfile": "set shell := [\"bash\", \"-c\"]\nlint: fmt\n    ruff check .\nfmt:\n    ruff format .\n"}, "just lint",
         [("ruff check .", 3, "just lint"), ("ruff format .", 5, "just lint > just fmt")]),
        ({"tox.ini": "[tox]\nenvlist = py{311,312}\n[testenv]\ncommands =\n    pytest -q\n"}, "tox",
         [("pytest -q", 5, "tox > tox py311")]),
        ({"noxfile.py": "import nox\n\n@nox.session(name='audit')\ndef a(session):\n    session.run('pip-audit', '--strict')\n"},
         "nox -s audit", [("pip-audit --strict", 5, "nox audit")]),
        ({"tasks.py": "from invoke import task\n\n@task\ndef lint_all(c):\n    c.run('ruff check .')\n"}, "inv lint-all",
         [("ruff check .", 5, "invoke lint-all")]),
        ({"package.json": '{"scripts": {"test": "jest --ci", "ci": "npm test && npm run lint", "lint": "eslint ."}}'}, "npm run ci",
         [("npm test && npm run lint", 1, "npm ci"), ("jest --ci", 1, "npm ci > npm test"), ("eslint .", 1, "npm ci > npm lint")]),
        ({"mise.toml": '[tasks.check]\nrun = "pytest -q"\n'}, "mise run check", [("pytest -q", 2, "mise check")]),
        ({"Taskfile.yml": "version: '3'\ntasks:\n  scan:\n    cmds:\n      - trivy fs .\n"}, "task scan", [("trivy fs .", 5, "task scan")]),
        ({".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks:\n      - id: audit\n        entry: pip-audit\n        language: system\n"},
         "pre-commit run --all-files", [("pip-audit", 4, "pre-commit run")]),
    ],
    ids=["make-deps", "make-default-goal", "just", "tox-envlist", "nox", "invoke", "npm", "mise", "taskfile", "pre-commit"],
)
def test_runner_invocations_expand_to_the_commands_their_tasks_run(tmp_path, files, command, expected) -> None:
    assert _run(tmp_path, files, command) == expected


def test_mutually_recursive_tasks_end_and_words_that_are_not_invocations_expand_to_nothing(tmp_path) -> None:
    files = {"Makefile": "a: b\n\tbandit -r src\nb: a\n\tpytest\n"}
    assert sorted(t for t, _, _ in _run(tmp_path, files, "make a")) == ["bandit -r src", "pytest"]
    assert _run(tmp_path, files, 'echo "make a"') == []
    assert _run(tmp_path, files, "make unknown-target") == []


def test_a_task_file_that_does_not_parse_contributes_nothing(tmp_path) -> None:
    files = {"noxfile.py": "def broken(:\n", "tox.ini": "[testenv\ncommands = pytest\n", "pyproject.toml": "not = [toml"}
    assert _run(tmp_path, files, "nox && tox && poe check") == []
