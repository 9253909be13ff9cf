"""The same tasks on a Dask cluster write the same bytes as the local run (loopback only)."""

from __future__ import annotations

import pytest

from mlops_audit.portfolio.runner import RunOptions, collect_portfolio
from mlops_audit.portfolio.sources import expand_sources
from tests.portfolio.conftest import NOW, TIMEOUT
from tests.portfolio.estate import folder_bytes, make_service

distributed = pytest.importorskip("distributed", reason="the 'portfolio' extra (pulled in by 'dev') provides Dask")


def test_dask_cluster_run_equals_local_run(tmp_path, monkeypatch):
    estate = tmp_path / "estate"
    for n in range(10):
        make_service(estate / f"svc-{n:02d}", n)
    (estate / "svc-04" / "link").symlink_to("/etc")
    monkeypatch.setenv("MLOPS_AUDIT_PORTFOLIO_TEST_DIE", "svc-03")
    specs = expand_sources([estate])

    local = tmp_path / "local"
    collect_portfolio(specs, local, RunOptions(now=NOW, jobs=2, timeout=TIMEOUT))

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1", scheduler_port=0, dashboard_address=None) as cluster:
        on_dask = tmp_path / "dask"
        summary = collect_portfolio(specs, on_dask, RunOptions(now=NOW, jobs=2, timeout=TIMEOUT, scheduler=cluster.scheduler_address))
    assert len(summary.collected) == 10 and summary.errors == ["svc-03"]
    assert folder_bytes(on_dask) == folder_bytes(local)
    from mlops_audit.portfolio.runner import _DASK_SLOTS

    assert _DASK_SLOTS == {}  # every worker process the tasks started was stopped


def test_cli_dask_starts_and_stops_a_loopback_process_cluster(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mlops_audit.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    estate = tmp_path / "estate"
    for n in (2, 7):
        make_service(estate / f"svc-{n:02d}", n)
    local = CliRunner().invoke(cli, ["portfolio", "collect", str(estate), "--out", str(tmp_path / "local"), "--jobs", "1"])
    on_dask = CliRunner().invoke(cli, ["portfolio", "collect", str(estate), "--out", str(tmp_path / "dask"), "--jobs", "1", "--dask"])
    assert local.exit_code == 0 and on_dask.exit_code == 0, on_dask.output
    assert "2 collected" in on_dask.output
    assert folder_bytes(tmp_path / "dask") == folder_bytes(tmp_path / "local")
    both = CliRunner().invoke(cli, ["portfolio", "collect", str(estate), "--out", str(tmp_path / "x"), "--dask", "--scheduler", "tcp://127.0.0.1:1"])
    assert both.exit_code == 2 and "give one" in both.output
