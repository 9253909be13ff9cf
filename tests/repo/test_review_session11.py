"""Hostile inputs the session-11 review found (review11): each once took seconds to minutes, or tens of
gigabytes, on one crafted file; each must now finish at once with the same judgement as before."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo import reponame
from mlops_audit.evidence.repo.detectors import _duties, monitoring
from mlops_audit.evidence.repo.detectors._compose import MAX_COMMAND_CHARS, command_text
from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree


def test_a_remote_url_padded_with_60000_spaces_is_read_in_linear_time_and_stripped() -> None:
    config = '[remote "origin"]\n\turl = https://example.org/acme/churn-service.git' + " " * 60_000 + "\n"
    assert reponame.remote_url_of_config(config) == "https://example.org/acme/churn-service.git"
    assert reponame.remote_url_of_config('[remote "origin"]\nurl=a' + " " * 60_000 + "b") == "a" + " " * 60_000 + "b"


def test_delivery_steps_are_searched_in_linear_time_on_a_hostile_ci_line() -> None:
    assert _duties._DELIVERS.search("deploy-" * 40_000) is None
    assert _duties._DELIVERS.search("docker buildx build " * 40_000) is None
    assert _duties._DELIVERS.search("run: docker buildx build -t acme/api . --push") is not None  # the step still counts
    assert _duties._DELIVERS.search("run: ./scripts/deploy-prod.sh") is not None


def test_a_compose_command_of_100000_aliases_of_a_long_word_is_cut_at_the_cap() -> None:
    long_word = "x" * 200_000
    text = command_text([long_word] * 100_000)  # what the safe loader builds from `[*a, *a, ...]`
    assert len(text) <= MAX_COMMAND_CHARS and text.startswith("x")
    assert command_text(["python", "-m", "app.batch", 3]) == "python -m app.batch 3"
    assert command_text({"not": "a command"}) == "" and command_text(None) == ""


def test_a_compose_file_repeating_an_anchored_command_is_judged_not_crashed(tmp_path: Path) -> None:
    aliases = ", ".join(["*a"] * 20_000)
    compose = f"x-long: &a \"{'y' * 20_000}\"\nservices:\n  job:\n    build: .\n    command: [{aliases}]\n"
    root = _tree(tmp_path, {"app/main.py": "print('hi')\n", "Dockerfile": "FROM python:3.12\n", "docker-compose.yml": compose})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is FindingOutcome.fail, message  # not `error` (a detector crash), and nothing served


def test_workflows_that_wait_on_each_other_many_times_over_are_walked_once_each() -> None:
    names = [f"w{i}" for i in range(40)]
    table = {n: ({"workflow_run"}, names * 40) for n in names}  # every workflow waits on all, 40 times over
    assert monitoring._unattended("w0", table) is False  # nothing in the ring runs on its own
    table["w39"] = ({"schedule"}, [])
    assert monitoring._unattended("w0", table) is True
