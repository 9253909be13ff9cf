"""`mlops-audit serve` under load, on loopback only, bounded in count and time.

1. Save latency: ROUNDS rounds in which RESPONDENTS respondents (each with their own invitation
   token) save one answer at the same moment (PUT /api/respondents/<id>/answers/<criterion>):
   p50/p95/max latency and errors, on SQLite and, when MLOPS_AUDIT_BENCH_PG_URL or
   MLOPS_AUDIT_TEST_PG_URL is set, on PostgreSQL.
2. Assessment: a campaign of ASSESSED respondents (each answering every yes/no question routed to
   them and submitting) with a collect JSON attached, assessed by the server (POST
   /api/campaigns/<id>/assess) versus the CLI's library calls (run_assessment + write_assessment,
   in this process) and the `mlops-audit assess` command (a new process) on the same files
   (answers, collect JSON, answers log) downloaded from the server's inputs.zip; medians of
   REPEATS runs side by side.
3. Dashboard: GET /api/campaigns/<id> of that campaign right after an answer change (the live
   conflicts recomputed by run_assessment) and read again (kept).

Run by hand: python benchmarks/bench_serve.py [--respondents 200] [--rounds 5] [--skip-saves] [--skip-assess]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import httpx

PASSWORD = "benchmark password"
ASSESSED = 50
REPEATS = 3
REQUEST_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from mlops_audit.cli import main; main()", *args]


class Serve:
    def __init__(self, db_args: list[str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MLOPS_AUDIT_PASSWORD": PASSWORD}
        subprocess.run(cli("serve", *db_args, "--add-assessor", "bench"), env=env, check=True, capture_output=True, timeout=120)
        self.proc = subprocess.Popen(cli("serve", *db_args, "--port", str(self.port)), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def signed_in(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT)
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    return client, token


def make_campaign(client: httpx.Client, csrf: str, n: int, role: str) -> tuple[int, list[tuple[int, str]]]:
    h = {"X-CSRF-Token": csrf}
    cid = client.post("/api/campaigns", json={"organisation": f"Bench Bank {uuid.uuid4().hex[:6]}"}, headers=h).json()["id"]
    people = []
    for i in range(n):
        made = client.post(f"/api/campaigns/{cid}/respondents", json={"respondent": f"r-{i:04d}", "roles": [role]}, headers=h).json()
        people.append((made["id"], made["token"]))
    return cid, people


def yes_no_questions(role: str) -> list[str]:
    from mlops_audit.evidence.questionnaire.form import routed_to
    from mlops_audit.rubric.loader import default_rubric

    return [c.id for _d, _p, c in default_rubric().rubric.criteria() if routed_to(c, [role]) and c.question.type.value == "yes_no"]


async def save_round(base: str, people: list[tuple[int, str]], criterion: str) -> tuple[list[float], int]:
    limits = httpx.Limits(max_connections=len(people), max_keepalive_connections=len(people))
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        start = asyncio.Event()

        async def one(rid: int, token: str) -> tuple[float, bool]:
            await start.wait()
            t = time.perf_counter()
            try:
                r = await client.put(f"/api/respondents/{rid}/answers/{criterion}", json={"value": "yes"}, headers={"Authorization": f"Bearer {token}"})
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            return time.perf_counter() - t, ok

        tasks = [asyncio.create_task(one(rid, token)) for rid, token in people]
        await asyncio.sleep(0.05)
        start.set()
        results = await asyncio.gather(*tasks)
    return [t for t, _ in results], sum(1 for _, ok in results if not ok)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_saves(name: str, db_args: list[str], respondents: int, rounds: int) -> None:
    serve = Serve(db_args)
    try:
        client, csrf = signed_in(serve.base)
        _cid, people = make_campaign(client, csrf, respondents, "data_engineer")
        questions = yes_no_questions("data_engineer")
        latencies: list[float] = []
        errors = 0
        for r in range(rounds):
            t, e = asyncio.run(save_round(serve.base, people, questions[r % len(questions)]))
            latencies += t
            errors += e
        print(
            f"{name:<10} saves: {respondents} respondents at once x {rounds} rounds = {len(latencies)} saves; "
            f"p50 {1000 * percentile(latencies, 0.5):.0f} ms, p95 {1000 * percentile(latencies, 0.95):.0f} ms, "
            f"max {1000 * max(latencies):.0f} ms, errors {errors}"
        )
    finally:
        serve.stop()


def bench_assess(db_args: list[str]) -> None:
    serve = Serve(db_args)
    try:
        client, csrf = signed_in(serve.base)
        cid, people = make_campaign(client, csrf, ASSESSED, "mlops_engineer")
        questions = yes_no_questions("mlops_engineer")
        with httpx.Client(base_url=serve.base, timeout=REQUEST_TIMEOUT) as http:
            for i, (rid, token) in enumerate(people):
                h = {"Authorization": f"Bearer {token}"}
                for j, q in enumerate(questions):
                    http.put(f"/api/respondents/{rid}/answers/{q}", json={"value": ("yes", "no", "partial")[(i + j) % 3]}, headers=h).raise_for_status()
                http.post(f"/api/respondents/{rid}/submit", headers=h).raise_for_status()
        attached = client.post(f"/campaigns/{cid}/files", data={"kind": "evidence", "csrf_token": csrf}, files={"file": ("repo.json", collection_json())})
        if attached.status_code != 303:  # the form redirects to the campaign when the file is accepted
            raise RuntimeError(f"attaching the collect JSON failed: {attached.status_code} {attached.text[:300]}")
        server_times = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            client.post(f"/api/campaigns/{cid}/assess", headers={"X-CSRF-Token": csrf}).raise_for_status()
            server_times.append(time.perf_counter() - t)
        archive = client.get(f"/campaigns/{cid}/inputs.zip").content
        # the dashboard's live conflicts: one more (unsubmitted) respondent changes an answer, then the
        # assessor's dashboard is read twice (a recompute, then the kept result)
        late = client.post(f"/api/campaigns/{cid}/respondents", json={"respondent": "r-late", "roles": ["mlops_engineer"]}, headers={"X-CSRF-Token": csrf}).json()
        missed, kept = [], []
        with httpx.Client(base_url=serve.base, timeout=REQUEST_TIMEOUT) as http:
            for i in range(REPEATS):
                h = {"Authorization": f"Bearer {late['token']}"}
                base = None if i == 0 else i
                http.put(f"/api/respondents/{late['id']}/answers/{questions[0]}", json={"value": ("yes", "no")[i % 2], "base_version": base}, headers=h).raise_for_status()
                for times in (missed, kept):
                    t = time.perf_counter()
                    client.get(f"/api/campaigns/{cid}").raise_for_status()
                    times.append(time.perf_counter() - t)
    finally:
        serve.stop()
    from mlops_audit.workflow import AssessOptions, run_assessment, write_assessment

    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(io.BytesIO(archive)).extractall(tmp)
        root = Path(tmp)
        answers, log = root / "answers", next(root.glob("campaign-*-log"))
        evidence = sorted((root / "evidence").iterdir())
        library_times, command_times = [], []
        for _ in range(REPEATS):
            t = time.perf_counter()
            opts = AssessOptions(answers=[answers], answers_log=log, evidence_files=evidence, organisation="Bench Bank", display_root=root)
            write_assessment(run_assessment(opts), root / "lib")
            library_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            args = ["--answers", str(answers), "--answers-log", str(log), *[a for e in evidence for a in ("--evidence", str(e))], "--out", str(root / "out")]
            subprocess.run(cli("assess", *args), check=True, capture_output=True)
            command_times.append(time.perf_counter() - t)
    s, lib, cmd = (statistics.median(x) for x in (server_times, library_times, command_times))
    print(
        f"assessment of {ASSESSED} respondents x {len(questions)} answers + collect JSON + answers log (median of {REPEATS}): server request {s:.2f} s, "
        f"CLI library calls (run_assessment + write_assessment) {lib:.2f} s ({s / lib:.2f}x), 'mlops-audit assess' command {cmd:.2f} s ({s / cmd:.2f}x)"
    )
    print(
        f"dashboard GET /api/campaigns/<id> of that campaign (median of {REPEATS}): after an answer change (live conflicts recomputed) "
        f"{statistics.median(missed):.2f} s, read again (kept) {statistics.median(kept):.3f} s"
    )


def collection_json() -> bytes:
    """`mlops-audit collect` output of a tiny repository (tests but little else): detectors that
    looked and found nothing, so the campaign's answers meet conflicts."""
    from datetime import datetime

    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.rubric.loader import default_rubric

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / "tests").mkdir()
        (repo / "tests" / "test_model.py").write_text("def test_train():\n    assert True\n")
        (repo / "README.md").write_text("# model\n")
        return collect(repo, rubric=default_rubric(), now=datetime(2026, 1, 1)).model_dump_json().encode()


def pg_database(base: str) -> tuple[str, callable]:
    import psycopg

    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-assess", action="store_true")
    parser.add_argument("--skip-saves", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_saves:
            bench_saves("SQLite", ["--database", str(Path(tmp) / "bench.db")], args.respondents, args.rounds)
            pg = os.environ.get("MLOPS_AUDIT_BENCH_PG_URL") or os.environ.get("MLOPS_AUDIT_TEST_PG_URL")
            if pg:
                url, drop = pg_database(pg)
                try:
                    bench_saves("PostgreSQL", ["--database-url", url], args.respondents, args.rounds)
                finally:
                    drop()
            else:
                print("PostgreSQL    saves: skipped (set MLOPS_AUDIT_BENCH_PG_URL=postgresql://user@127.0.0.1:port/db)")
        if not args.skip_assess:
            bench_assess(["--database", str(Path(tmp) / "assess.db")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
