"""Session 14's new rules on hostile input: the work a rule does grows linearly with its input.

Each test doubles an input built to make a naive walk repeat itself and counts the syntax-tree nodes
visited (every `ast.walk` step, `astutil.identifiers` included): a count, not a time, so the test
does not depend on the machine's load. Next to each, the cases the rule's result must keep.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlops_audit.evidence.repo.detectors import _batchscoring, _setaside, _suitegate, deployment, monitoring
from mlops_audit.evidence.repo.index import RepoIndex


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _visits(monkeypatch: pytest.MonkeyPatch, run: Callable[[], object]) -> int:
    """How many nodes `ast.walk` yields while `run` runs."""
    count = 0
    walk = ast.walk

    def counting(node: ast.AST) -> Iterator[ast.AST]:
        nonlocal count
        for sub in walk(node):
            count += 1
            yield sub

    monkeypatch.setattr(ast, "walk", counting)
    try:
        run()
    finally:
        monkeypatch.setattr(ast, "walk", walk)
    return count


def _grows_linearly(monkeypatch: pytest.MonkeyPatch, make: Callable[[int], str], judge: Callable[[ast.Module], object], n: int = 200) -> None:
    small, large = ast.parse(make(n)), ast.parse(make(2 * n))
    once, twice = _visits(monkeypatch, lambda: judge(small)), _visits(monkeypatch, lambda: judge(large))
    assert twice <= 2.5 * once, (once, twice)


# --- `_suitegate.suite_gates` --------------------------------------------------------------------------


def test_a_suite_gate_judges_a_name_assigned_many_times_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each `x = x + x` is a value of x that reads x: walked per value per value per call, 10 KB took minutes.
    _grows_linearly(monkeypatch, lambda n: "import pytest\nx = 'a'\n" + "x = x + x\n" * n + "pytest.main(x)\n" * n, _suitegate.suite_gates)


def test_a_suite_gate_walks_a_long_elif_chain_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # An `elif` is an `If` nested in the one before: walking every statement's subtree walked the chain n^2/2 times.
    def chain(n: int) -> str:
        arms = "".join(f"elif code == {i}:\n    pytest.main(['tests/test_data.py'])\n" for i in range(n))
        return "import pytest\ncode = pytest.main(['tests/test_data.py'])\nif code == -1:\n    pass\n" + arms

    _grows_linearly(monkeypatch, chain, _suitegate.suite_gates)


def test_a_suite_gate_still_finds_the_suite_through_names_and_enclosing_scopes() -> None:
    two_steps = "import os, sys, pytest\nroot = 'x'\nsuite = os.path.join(root, 'tests/test_data.py')\nargs = [suite]\ncode = pytest.main(args)\nif code:\n    sys.exit(code)\n"
    assert _suitegate.suite_gates(ast.parse(two_steps)) == [6]
    three_steps = two_steps.replace("args = [suite]", "more = [suite]\nargs = more")
    assert _suitegate.suite_gates(ast.parse(three_steps)) == []  # two steps of names at most
    # a checked run in a function, the suite named at module level: the module's scope holds the call
    outer = "import subprocess\nSUITE = 'tests/data/'\n\n\ndef gate():\n    subprocess.run(['pytest', SUITE], check=True)\n"
    assert _suitegate.suite_gates(ast.parse(outer)) == [6]
    exits = "import sys, pytest\n\n\ndef main():\n    sys.exit(pytest.main(['tests/test_dataset.py']))\n"
    assert _suitegate.suite_gates(ast.parse(exits)) == [5]
    unit = exits.replace("test_dataset.py", "test_api.py")
    assert _suitegate.suite_gates(ast.parse(unit)) == []
    ignored = "import pytest\ncode = pytest.main(['tests/test_data.py'])\nif code:\n    print('failed')\nelif code == 2:\n    pass\n"
    assert _suitegate.suite_gates(ast.parse(ignored)) == []
    stopped_late = ignored.replace("    pass\n", "    raise SystemExit(2)\n")
    assert _suitegate.suite_gates(ast.parse(stopped_late)) == [3]


# --- `_setaside` ----------------------------------------------------------------------------------------


def _set_aside_lines(text: str) -> list[tuple[str, int, int]]:
    return [(func.name, line, write) for _, func, line, write in _setaside.records_set_aside(ast.parse(text))]


def test_a_set_aside_sink_walks_a_long_elif_chain_in_a_loop_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each arm's `else` holds the rest of the chain: looking for a write in it per arm walked the chain n^2/2 times.
    def chain(n: int) -> str:
        arms = "".join(f"        elif row.a == {i}:\n            pass\n" for i in range(n))
        return "def route(rows):\n    quarantine = open('quarantine.csv', 'w')\n    for row in rows:\n        if row.a == -1:\n            pass\n" + arms

    _grows_linearly(monkeypatch, chain, _setaside.records_set_aside)


def test_a_set_aside_sink_names_the_write_a_breadth_first_walk_meets_first() -> None:
    text = (
        "def route(rows):\n"
        "    quarantine = open('quarantine.csv', 'w')\n"
        "    for row in rows:\n"
        "        if not row.ok:\n"
        "            with lock:\n"
        "                if row.late:\n"
        "                    quarantine.write('late')\n"  # deeper, earlier
        "                quarantine.write(row.reason)\n"  # shallower, later: met first in the statement, breadth first
        "        elif row.a:\n"
        "            pass\n"
        "        else:\n"
        "            for item in row:\n"
        "                quarantine.write(item)\n"
    )
    assert _set_aside_lines(text) == [("route", 4, 8)]
    no_write = text.replace("quarantine.write", "print")
    assert _set_aside_lines(no_write) == []
    # the first `if` writes nowhere: the `elif` arm (an `If` in its `else`) with a write is the one named
    late = text.replace("            with lock:\n                if row.late:\n                    quarantine.write('late')\n                quarantine.write(row.reason)\n", "            pass\n")
    assert _set_aside_lines(late) == [("route", 4, 10)]


def test_records_rejected_with_reasons_looks_for_the_store_once_per_function(monkeypatch: pytest.MonkeyPatch) -> None:
    # n loops that reject records on two checks and keep the others, none stored: the function was walked once per loop.
    one = "    for r in rows:\n        if r.a:\n            errors.append(1)\n            continue\n        if r.b:\n            errors.append(2)\n            continue\n        ok.append(r)\n"
    _grows_linearly(monkeypatch, lambda n: "def load(rows):\n    errors, ok = [], []\n" + one * n, _setaside.records_rejected_with_reasons)
    stored = "def load(rows, db):\n    errors, ok = [], []\n" + one * 2 + "    db.bulk_insert(ok)\n"
    assert [line for _, _, line in _setaside.records_rejected_with_reasons(ast.parse(stored))] == [4]
    returned = stored.replace("    db.bulk_insert(ok)\n", "    return ok\n")
    assert _setaside.records_rejected_with_reasons(ast.parse(returned)) == []


# --- monitors_model `telemetry SDK in a Node service` -------------------------------------------------------


def test_each_node_package_reads_only_the_sources_under_its_own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every package was matched against every source file of the repository: packages x sources string tests.
    def examined(packages: int, others: int) -> int:
        root = tmp_path / f"{packages}-{others}"
        for i in range(packages):
            write(root / f"pkg{i:04d}/package.json", json.dumps({"name": f"p{i}", "dependencies": {"openai": "1", "@sentry/node": "1"}}))
            write(root / f"pkg{i:04d}/src/index.ts", "export const x = 1\n")
        for j in range(others):
            write(root / f"web/src/f{j:05d}.ts", "export const y = 2\n")
        seen: list[str] = []
        real = monitoring.is_test_path
        monkeypatch.setattr(monitoring, "is_test_path", lambda path: seen.append(path) or real(path))
        monitoring._node_service_telemetry(RepoIndex(root))
        return len([p for p in seen if p.endswith(".ts")])

    assert examined(20, 100) == examined(20, 200) == 20  # each package its one file; the others never looked at


def test_a_node_package_initialising_its_sdk_only_in_an_example_is_not_watched(tmp_path: Path) -> None:
    package = json.dumps({"name": "backend", "dependencies": {"@sentry/node": "^8", "openai": "^4"}})
    init = "import * as Sentry from '@sentry/node'\n\nSentry.init({ dsn: process.env.SENTRY_DSN })\n"
    served = tmp_path / "served"
    write(served / "package.json", package)
    write(served / "src/instrument.ts", init)
    assert [sdk for sdk, _ in monitoring._node_service_telemetry(RepoIndex(served))] == ["@sentry"]
    example = tmp_path / "example"
    write(example / "package.json", package)
    write(example / "examples/sentry/instrument.ts", init)
    assert monitoring._node_service_telemetry(RepoIndex(example)) == []


# --- serves_model `route hands the request to a task queue's worker` ----------------------------------------


def test_a_task_sent_by_name_is_judged_once_however_many_routes_send_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every route sending a task by name judged every `send_task` call of its module again: routes x calls.
    def judged(routes: int) -> int:
        root = tmp_path / str(routes)
        write(root / "app/tasks.py", "from celery import Celery\napp = Celery()\n\n\n@app.task(name='t')\ndef t(x):\n    return x + 1\n")
        handlers = "".join(f"@api.post('/r{i}')\ndef r{i}(x):\n    return celery_app.send_task('t', args=[x])\n\n\n" for i in range(routes))
        write(root / "app/main.py", "from celery import Celery\nfrom fastapi import FastAPI\n\ncelery_app = Celery()\napi = FastAPI()\n\n\n" + handlers)
        count = 0
        real = deployment._reach

        def counting(*args: object, **kwargs: object) -> object:
            nonlocal count
            count += args[2] == "t"  # the reach of the task's function, not of a route
            return real(*args, **kwargs)

        monkeypatch.setattr(deployment, "_reach", counting)
        assert deployment._routes_through_services(RepoIndex(root)) == []  # the task uses no model
        monkeypatch.setattr(deployment, "_reach", real)
        return count

    assert judged(20) == judged(40) == 1


# --- serves_model batch scoring: the files commands run -----------------------------------------------------


def test_the_file_a_command_runs_is_found_by_its_last_parts_as_a_test_of_every_pair_would(tmp_path: Path) -> None:
    paths = ["score.py", "jobs/score.py", "app/jobs/score.py", "jobs/other/score.py", "batch/predict.py", "predict.py"]
    runs = [
        (["python", "x/jobs/score.py"], "first"), (["score.py"], "second"), (["./batch/predict.py", "predict.py"], "third"),
        ([".", "", "./"], "nothing"), (["other/score.py"], "fourth"),
    ]
    write(tmp_path / "README.md", "x\n")
    of = _batchscoring._first_by_tail(RepoIndex(tmp_path), "test", lambda: runs)

    def tested(path: str) -> str | None:  # the pairwise reading the index replaces
        def names(target: str) -> bool:
            tail = _batchscoring._tail(target)
            return bool(tail) and (path == tail or path.endswith("/" + tail))

        return next((value for targets, value in runs for target in targets if names(target)), None)

    assert [of(p) for p in paths] == [tested(p) for p in paths] == ["second", "first", "first", "second", "third", "third"]


def test_batch_scoring_candidates_look_each_command_target_up_once_whatever_the_number_of_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every target of every cron line was tested against every Python file of the repository.
    def tails(files: int) -> int:
        root = tmp_path / str(files)
        write(root / "crontab", "".join(f"0 * * * * python /app/jobs/job{i}.py\n" for i in range(50)))
        for j in range(files):
            write(root / f"lib/m{j}.py", "x = 1\n")
        count = 0
        real = _batchscoring._tail

        def counting(target: str) -> str:
            nonlocal count
            count += 1
            return real(target)

        monkeypatch.setattr(_batchscoring, "_tail", counting)
        list(_batchscoring._candidates(RepoIndex(root)))
        monkeypatch.setattr(_batchscoring, "_tail", real)
        return count

    assert tails(20) == tails(40) <= 2 * 50
