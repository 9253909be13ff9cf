"""Resumable and incremental: a rerun collects only what changed; a run killed mid-way and run
again writes exactly what one uninterrupted run writes, and collects nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlops_audit.portfolio.runner import RunOptions, collect_portfolio
from mlops_audit.portfolio.sources import expand_sources
from tests.portfolio.conftest import NO_HANG_TIMEOUT, NOW
from tests.portfolio.estate import commit_all, folder_bytes, make_service


@pytest.fixture
def small_estate(tmp_path: Path) -> Path:
    estate = tmp_path / "estate"
    for n in range(12):
        make_service(estate / f"svc-{n:02d}", n)
    return estate


def run(estate: Path, out: Path, executor=None, **options: object):
    return collect_portfolio(expand_sources([estate]), out, RunOptions(now=NOW, jobs=1, timeout=NO_HANG_TIMEOUT, **options), executor=executor)


def no_workers(tasks, **_):
    raise AssertionError(f"nothing changed, yet {len(tasks)} tasks were sent to workers")


def test_rerun_collects_only_what_changed(small_estate, tmp_path):
    out = tmp_path / "out"
    first = run(small_estate, out)
    assert len(first.collected) == 12
    before = folder_bytes(out)

    again = run(small_estate, out, executor=no_workers)  # unchanged is decided without starting a worker
    assert again.collected == [] and len(again.unchanged) == 12
    assert folder_bytes(out) == before

    (small_estate / "svc-01" / "Dockerfile").write_text("FROM python:3.12\n")  # a plain folder: tree digest
    (small_estate / "svc-07" / "Dockerfile").write_text("FROM python:3.12\n")  # a git work tree: not committed yet
    changed = run(small_estate, out)
    assert changed.collected == ["svc-01"]  # uncommitted changes are not part of a git repository's key

    commit_all(small_estate / "svc-07")
    committed = run(small_estate, out)
    assert committed.collected == ["svc-07"]
    assert "containerization" in (out / "state" / "svc-07.json").read_text()

    forced = run(small_estate, out, force=True)
    assert len(forced.collected) == 12


def test_removed_repository_is_pruned(small_estate, tmp_path):
    out = tmp_path / "out"
    run(small_estate, out)
    import shutil

    shutil.rmtree(small_estate / "svc-05")
    run(small_estate, out)
    assert not (out / "repos" / "svc-05.json").exists() and not (out / "state" / "svc-05.json").exists()
    assert '"svc-05"' not in (out / "portfolio.json").read_text()


def test_tampered_state_is_ignored_and_collected_again(small_estate, tmp_path):
    out = tmp_path / "out"
    run(small_estate, out)
    clean = folder_bytes(out)
    (out / "state" / "svc-02.json").write_text('{"repo": "svc-02", "status": "ok"')  # truncated
    (out / "repos" / "svc-03.json").write_text('{"findings": []}\n')  # result edited: digest no longer matches
    state4 = (out / "state" / "svc-04.json").read_bytes()
    (out / "state" / "svc-04.json").write_bytes((out / "state" / "svc-06.json").read_bytes())  # swapped
    (out / "state" / "svc-06.json").write_bytes(state4)
    (out / "state" / "svc-08.json").write_text((out / "state" / "svc-08.json").read_text().replace('"status": "ok"', '"status": "bogus"'))
    rerun = run(small_estate, out)
    assert sorted(rerun.collected) == ["svc-02", "svc-03", "svc-04", "svc-06", "svc-08"]
    assert folder_bytes(out) == clean


def test_killed_run_resumes_to_identical_output(small_estate, tmp_path):
    reference = tmp_path / "reference"
    run(small_estate, reference)

    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), "MLOPS_AUDIT_PORTFOLIO_TEST_HANG": "svc-06"}
    command = [sys.executable, "-m", "mlops_audit", "portfolio", "collect", str(small_estate), "--out", str(out), "--jobs", "2", "--timeout", "300"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_states(out)) < 11:
            time.sleep(0.1)
        done = _states(out)
        workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(done) == 11 and "svc-06" not in done, done  # stuck on svc-06, everything else written
    assert not (out / "portfolio.json").exists()
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "state").glob("*.json")}

    resumed = run(small_estate, out)
    assert resumed.collected == ["svc-06"]  # nothing collected twice
    assert {p.name: p.stat().st_mtime_ns for p in (out / "state").glob("*.json") if p.name != "svc-06.json"} == mtimes
    assert folder_bytes(out) == folder_bytes(reference)
    assert len(workers) == 2
    time.sleep(1.5)  # the killed run's workers notice their parent is gone within half a second
    assert [pid for pid in workers if _alive(int(pid))] == []


def _states(out: Path) -> list[str]:
    return sorted(p.stem for p in (out / "state").glob("*.json")) if (out / "state").is_dir() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_a_second_run_on_the_same_folder_is_refused(small_estate, tmp_path):
    from mlops_audit.errors import InputError
    from mlops_audit.portfolio.store import Store

    out = tmp_path / "out"
    store = Store(out)
    store.prepare()
    with store.locked(), pytest.raises(InputError, match="another 'portfolio collect' is writing"):
        run(small_estate, out, executor=no_workers)


def test_moved_repository_keeps_its_result_and_gets_its_new_path(small_estate, tmp_path):
    out = tmp_path / "out"
    run(small_estate, out)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (small_estate / "svc-03").rename(moved / "svc-03")
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(f"{p}\n" for p in sorted(small_estate.iterdir())) + f"{moved / 'svc-03'}\n")
    summary = collect_portfolio(expand_sources([listing]), out, RunOptions(now=NOW, jobs=1, timeout=NO_HANG_TIMEOUT), executor=no_workers)
    assert len(summary.unchanged) == 12
    assert f'"path": "{moved / "svc-03"}"' in (out / "portfolio.json").read_text()


def test_repositories_declared_learning_material_are_collected_as_such_and_the_declaration_is_part_of_the_key(small_estate, tmp_path):
    import json

    from click.testing import CliRunner

    from mlops_audit.cli import cli

    out = tmp_path / "out"
    run(small_estate, out)
    before = {f["detector"]: f for f in json.loads((out / "repos" / "svc-04.json").read_text())["findings"]}
    assert before["tracks_experiments"]["outcome"] == "pass"  # what the declaration will take away
    declared = tmp_path / "learning.txt"
    declared.write_text("# the assessor's list\nsvc-04\n" + str(small_estate / "svc-08") + "\n")
    runner = CliRunner()
    args = ["portfolio", "collect", str(small_estate), "--out", str(out), "--jobs", "1", "--no-cache"]
    result = runner.invoke(cli, [*args, "--learning-material", str(declared)], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    assert "2 collected, 10 unchanged" in result.output  # the declaration changed the key of exactly those two
    for repo in ("svc-04", "svc-08"):
        document = json.loads((out / "repos" / f"{repo}.json").read_text())
        assert document["stats"]["learning_material"]["declared"] is True
        tracked = {f["detector"]: f for f in document["findings"]}["tracks_experiments"]
        assert tracked["outcome"] != "pass"
        assert "not credited" in tracked["message"] or "not looked for in learning material" in tracked["message"]  # set aside, or failed with lessons unsearched
    assert json.loads((out / "repos" / "svc-05.json").read_text())["stats"]["learning_material"]["declared"] is False
    again = runner.invoke(cli, [*args, "--learning-material", str(declared)], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert "0 collected, 12 unchanged" in again.output
    withdrawn = runner.invoke(cli, args, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert "2 collected, 10 unchanged" in withdrawn.output


def test_a_declaration_naming_no_repository_of_the_portfolio_is_an_error_naming_the_line(small_estate, tmp_path):
    from click.testing import CliRunner

    from mlops_audit.cli import cli

    declared = tmp_path / "learning.txt"
    declared.write_text("svc-01\n\nsvc-99\n")
    result = CliRunner().invoke(cli, ["portfolio", "collect", str(small_estate), "--out", str(tmp_path / "out"), "--learning-material", str(declared)])
    assert result.exit_code == 2
    assert "learning.txt, line 3: 'svc-99' is not a repository of this portfolio" in result.output
    assert not (tmp_path / "out").exists()  # refused before anything is collected


def test_a_declaration_matches_repositories_by_location_whatever_form_the_paths_take(small_estate, tmp_path, monkeypatch):
    from mlops_audit.portfolio.sources import declared_learning_material

    monkeypatch.chdir(small_estate.parent)
    specs = expand_sources([Path(small_estate.name)])  # sources named relative to the working folder
    declared = tmp_path / "lists" / "learning.txt"
    declared.parent.mkdir()
    declared.write_text(f"{small_estate / 'svc-08'}\n../estate/svc-03\nsvc-01\n")  # absolute, relative to the file, an id
    assert declared_learning_material(declared, specs) == {"svc-08", "svc-03", "svc-01"}
