"""`portfolio collect` over a generated estate of 58 repositories: known practices come out as
known, a hanging, a dying and a hostile repository each cost one error record, never the batch."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.portfolio.store import load_portfolio
from mlops_audit.util.jsonio import pretty_json, sha256_bytes
from tests.portfolio.conftest import NOW
from tests.portfolio.estate import practices


def test_every_repository_has_one_entry_sorted(estate, collected):
    out, summary = collected
    portfolio = load_portfolio(out)
    ids = [e.repo for e in portfolio.repos]
    assert ids == sorted(ids)
    expected = {f"svc-{n:02d}" for n in range(50)} | {"evil-link", "escape", "huge", "fifo", "yaml-bomb", "trouble-hang", "trouble-die"}
    assert set(ids) == expected  # notes.txt is a file, not a repository
    assert portfolio.totals.repos == len(expected)
    assert sorted(summary.collected) == sorted(expected - {"evil-link"})


def test_known_practices_come_out_as_known(collected):
    out, _ = collected
    by_id = {e.repo: e for e in load_portfolio(out).repos}
    for n in range(50):
        entry = by_id[f"svc-{n:02d}"]
        assert entry.status == "ok", entry.error
        for kind, present in practices(n).items():
            assert entry.kinds[kind] == ("pass" if present else "fail"), (entry.repo, kind)
        assert entry.codeowners == [f"@org/team-{'a' if n % 2 else 'b'}"]
        assert (entry.key.head is not None) == (n % 7 == 0)
        assert (entry.key.tree is not None) == (n % 7 != 0)


def test_misbehaving_repositories_become_error_records(collected):
    out, _ = collected
    by_id = {e.repo: e for e in load_portfolio(out).repos}
    assert by_id["trouble-hang"].status == "error" and by_id["trouble-hang"].error_kind == "timeout"
    assert "time limit" in by_id["trouble-hang"].error
    assert by_id["trouble-die"].status == "error" and by_id["trouble-die"].error_kind == "worker_died"
    assert by_id["evil-link"].error_kind == "refused" and "symbolic link" in by_id["evil-link"].error
    # Hostile content is the collector's business: collected, nothing followed out of the tree.
    for name in ("escape", "huge", "fifo", "yaml-bomb"):
        assert by_id[name].status == "ok", (name, by_id[name].error)
    escape = json.loads((out / "repos" / "escape.json").read_text())
    assert escape["stats"]["skipped_links_or_special"] >= 2
    assert by_id["escape"].kinds["containerization"] == "fail"  # the linked Dockerfile is not read
    assert not (out / "repos" / "trouble-hang.json").exists()


def test_result_files_are_what_collect_writes(estate, collected):
    out, _ = collected
    portfolio = load_portfolio(out)
    for entry in portfolio.repos:
        if entry.result:
            assert sha256_bytes((out / entry.result).read_bytes()) == entry.result_sha256
    for name in ("svc-00", "svc-03"):  # a git work tree and a plain folder
        expected = pretty_json(collect(estate / "estate" / name, now=NOW).model_dump(mode="json"))
        assert (out / "repos" / f"{name}.json").read_text(encoding="utf-8") == expected


def test_cli_writes_and_reports(estate, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    listing = tmp_path / "two.txt"
    listing.write_text(f"{estate / 'estate' / 'svc-01'}\n{estate / 'estate' / 'svc-02'}\n")
    result = CliRunner().invoke(cli, ["portfolio", "collect", str(listing), "--out", str(tmp_path / "p"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "2 repositories, 2 collected, 0 unchanged, 0 errors" in result.output
    assert load_portfolio(tmp_path / "p").generated_at == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe\x00bad\n", "line 1: not UTF-8"), (b"ok\x00path\n", "line 1: contains a NUL")],
)
def test_bad_path_list_is_a_clear_error(tmp_path, content, message):
    listing = tmp_path / "repos.txt"
    listing.write_bytes(content)
    result = CliRunner().invoke(cli, ["portfolio", "collect", str(listing), "--out", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert str(listing) in result.output and message in result.output


def test_missing_source_and_foreign_out_folder_are_refused(estate, tmp_path):
    missing = CliRunner().invoke(cli, ["portfolio", "collect", str(tmp_path / "nope"), "--out", str(tmp_path / "p")])
    assert missing.exit_code == 2 and "not found" in missing.output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    refused = CliRunner().invoke(cli, ["portfolio", "collect", str(estate / "estate" / "svc-01"), "--out", str(foreign)])
    assert refused.exit_code == 2 and "not a portfolio" in refused.output
    assert (foreign / "thesis.tex").read_text() == "precious"


def test_listed_paths_missing_or_sharing_a_name(tmp_path):
    for group in ("a", "b"):
        (tmp_path / group / "model").mkdir(parents=True)
        (tmp_path / group / "model" / "Dockerfile").write_text("FROM scratch\n")
    listing = tmp_path / "repos.txt"
    listing.write_text("a/model\nb/model\nmissing\n")
    from mlops_audit.portfolio.sources import expand_sources

    specs = expand_sources([listing])
    ids = [s.id for s in specs]
    assert len(set(ids)) == 3 and sum(i.startswith("model-") for i in ids) == 2
    assert [s.refusal for s in specs if s.id == "missing"] == ["not a folder (expected a repository checkout)"]


def test_worker_decides_unchanged_when_given_the_previous_key(estate):
    from mlops_audit.portfolio.task import run_task

    task = {"id": "svc-00", "path": str(estate / "estate" / "svc-00"), "now": NOW.isoformat(), "rubric": None, "previous": None}
    first = run_task(task)
    assert first["state"] == "ok" and first["key"]["head"]
    assert run_task({**task, "previous": first["key"]}) == {"state": "unchanged", "key": first["key"]}
    stale = {**first["key"], "collector_digest": "0" * 64}
    assert run_task({**task, "previous": stale})["state"] == "ok"


def test_output_folder_inside_the_estate_is_not_a_repository(tmp_path):
    from mlops_audit.portfolio.runner import RunOptions, collect_portfolio
    from mlops_audit.portfolio.sources import expand_sources

    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "Dockerfile").write_text("FROM scratch\n")
    out = tmp_path / "portfolio"
    for _ in range(2):  # the second run sees the output folder as a child of the estate
        summary = collect_portfolio(expand_sources([tmp_path]), out, RunOptions(now=NOW, jobs=1))
    assert [e.repo for e in load_portfolio(out).repos] == ["only"] and summary.unchanged == ["only"]


def test_interrupted_run_stops_at_once_and_kills_its_workers(estate, monkeypatch):
    import time

    from mlops_audit.portfolio.runner import run_local

    monkeypatch.setenv("MLOPS_AUDIT_PORTFOLIO_TEST_HANG", "svc-02,svc-03")
    tasks = [
        {"id": f"svc-{n:02d}", "path": str(estate / "estate" / f"svc-{n:02d}"), "now": NOW.isoformat(), "rubric": None, "previous": None}
        for n in (1, 2, 3, 4, 5)
    ]
    answers = run_local(tasks, jobs=2, timeout=300)
    first_id, first, _ = next(answers)
    assert first_id == "svc-01" and first["state"] == "ok"
    time.sleep(0.5)  # both slots are now stuck in svc-02 and svc-03
    workers = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "mlops_audit.portfolio.worker"], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
    started = time.monotonic()
    answers.close()  # what Ctrl-C or a failed write does to the loop that consumes the answers
    assert time.monotonic() - started < 10  # not 300 s, and svc-04/05 never started
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"] == []
