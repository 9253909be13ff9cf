"""Assessing a campaign: the CLI's engine and bytes, files out and in, the log, history and diff."""

from __future__ import annotations

import io
import json
import re
import shlex
import zipfile
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from mlops_audit.cli import cli
from mlops_audit.evidence.questionnaire.importer import read_answer_files
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.server.db import LogEvent
from tests.server.helpers import make_campaign

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="module")
def collection_json(tmp_path_factory) -> bytes:
    """`mlops-audit collect` output of a tiny repository."""
    from mlops_audit.evidence.repo.collect import collect

    repo = tmp_path_factory.mktemp("repo")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_model.py").write_text("def test_train():\n    assert True\n")
    (repo / "README.md").write_text("# model\n")
    return collect(repo, rubric=default_rubric(), now=datetime(2026, 1, 1)).model_dump_json().encode()


def answered(server):  # noqa: ANN001, ANN201
    c = make_campaign(server)
    for person, values in ((c.data, ("yes", "partial", "no")), (c.model, ("yes", "yes", "n/a"))):
        for criterion, value in zip(person.yes_no, values, strict=False):
            assert person.put(criterion, value, evidence=["https://wiki/x"]).status_code == 200
        assert person.client.post(f"/api/respondents/{person.id}/submit", headers={"X-CSRF-Token": person.csrf}).status_code == 200
    return c


def unzip(data: bytes, into) -> list[str]:  # noqa: ANN001
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
        return sorted(archive.namelist())


def test_assessment_is_the_cli_assessment_byte_for_byte(server, tmp_path, monkeypatch, collection_json):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    c = answered(server)
    attached = c.assessor.post(f"/campaigns/{c.id}/files", data={"kind": "evidence", "csrf_token": c.csrf}, files={"file": ("repo.json", collection_json)}, follow_redirects=False)
    assert attached.status_code == 303
    made = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    assert made.status_code == 201, made.text
    served = c.assessor.get(f"/api/assessments/{made.json()['id']}")
    assert served.headers["x-campaign-log-head"] == made.json()["log"]["head"]
    assert made.json()["log"]["events"] == 9  # 6 answers, 2 submissions, 1 evidence file attached
    # the same inputs, downloaded, through the CLI
    names = unzip(c.assessor.get(f"/campaigns/{c.id}/inputs.zip").content, tmp_path)
    log = f"campaign-{c.id}-log"
    assert names == ["answers/r-data-01.json", "answers/r-model-01.json", "assess-command.txt", f"{log}/audit.jsonl", f"{log}/manifest.json", f"{log}/statement.json", "evidence/1-repo.json"]
    assert (tmp_path / "assess-command.txt").read_text() == (
        f"mlops-audit assess --answers answers --answers-log {log} --evidence evidence/1-repo.json "
        "--organisation 'Bank of Tests' --scope 'AI team' --assessor alice --out out\n"
    )
    assert made.json()["command"] == f"SOURCE_DATE_EPOCH={EPOCH} " + (tmp_path / "assess-command.txt").read_text().strip()
    assert (tmp_path / "evidence" / "1-repo.json").read_bytes() == collection_json
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli,
        ["assess", "--answers", "answers", "--answers-log", log, "--evidence", "evidence/1-repo.json", "--organisation", "Bank of Tests", "--scope", "AI team", "--assessor", "alice", "--out", "out"],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "assessment.json").read_bytes() == served.content
    data = json.loads(served.content)
    assert [i["kind"] for i in data["inputs"]].count("answers") == 2 and any(i["kind"] == "repo" for i in data["inputs"])
    recorded = next(i for i in data["inputs"] if i["kind"] == "answers_log")
    assert recorded == {"kind": "answers_log", "name": log, "sha256": made.json()["log"]["head"], "entries": 9}
    # the report says so
    html = c.assessor.get(f"/assessments/{made.json()['id']}/files/report.en.html").text
    assert f"answers log {log} verified: 9 entries, head {recorded['sha256']}" in html


def cli_assess(folder, *extra):  # noqa: ANN001, ANN002, ANN201
    return CliRunner().invoke(
        cli, ["assess", "--answers", str(folder / "answers"), *extra, "--organisation", "Bank of Tests", "--out", str(folder / "out")]
    )


def test_a_tampered_or_mismatched_answers_log_is_refused_by_the_cli(server, tmp_path):
    c = answered(server)
    c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    unzip(c.assessor.get(f"/campaigns/{c.id}/inputs.zip").content, tmp_path)
    log = tmp_path / f"campaign-{c.id}-log"
    assert cli_assess(tmp_path, "--answers-log", str(log)).exit_code == 0
    # an event edited in the exported log: refused, naming the file and the entry
    original = (log / "audit.jsonl").read_text()
    lines = original.splitlines(keepends=True)
    lines[2] = lines[2].replace('"value":"no"', '"value":"yes"')
    assert lines[2] != original.splitlines(keepends=True)[2]
    (log / "audit.jsonl").write_text("".join(lines))
    refused = cli_assess(tmp_path, "--answers-log", str(log))
    assert refused.exit_code == 2, refused.output
    assert f"{log}/audit.jsonl: the answers log does not verify at entry 2" in refused.output
    assert "Traceback" not in refused.output
    # an intact log, but an answer file altered after submission
    (log / "audit.jsonl").write_text(original)
    answers = tmp_path / "answers" / "r-data-01.json"
    answers.write_text(answers.read_text().replace('"no"', '"yes"'))
    altered = cli_assess(tmp_path, "--answers-log", str(log))
    assert altered.exit_code == 2, altered.output
    assert "r-data-01.json" in altered.output and "differs from the answers log (entry 2: 'no')" in altered.output
    # a submitted respondent's file left out
    answers.unlink()
    dropped = cli_assess(tmp_path, "--answers-log", str(log))
    assert dropped.exit_code == 2 and "respondent 'r-data-01' submitted answers in the answers log" in dropped.output
    # not a log folder at all
    assert cli_assess(tmp_path, "--answers-log", str(tmp_path / "answers")).exit_code == 2
    # reopened after the export: last export's answers no longer stand for a submission
    kept = tmp_path / "kept"
    unzip(c.assessor.get(f"/campaigns/{c.id}/answers.zip?format=answers").content, kept)
    reopened = c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/reopen", data={"csrf_token": c.csrf}, follow_redirects=False)
    assert reopened.status_code == 303
    unzip(c.assessor.get(f"/campaigns/{c.id}/log.zip").content, kept)
    stale = cli_assess(kept, "--answers-log", str(kept / f"campaign-{c.id}-log"))
    assert stale.exit_code == 2 and "respondent 'r-data-01' has not submitted in the answers log (reopened at entry 8)" in stale.output


def test_answer_files_download_in_every_cli_format(server, tmp_path):
    c = answered(server)
    for fmt in ("answers", "json", "yaml", "xlsx", "csv", "md"):
        folder = tmp_path / fmt
        names = unzip(c.assessor.get(f"/campaigns/{c.id}/answers.zip?format={fmt}").content, folder)
        suffix = "json" if fmt == "answers" else fmt
        assert names == [f"answers/r-data-01.{suffix}", f"answers/r-model-01.{suffix}"]
        imported = read_answer_files([folder / "answers"], default_rubric())
        assert not imported.errors, imported.problems
        by_id = {m.respondent.id: m for _s, m in imported.files}
        assert [a.value for a in by_id["r-data-01"].answers] == ["yes", "partial", "no"]
    assert c.assessor.get(f"/campaigns/{c.id}/answers.zip?format=exe").status_code == 422


def test_campaign_log_exports_and_verifies_and_tampering_is_caught(server, tmp_path):
    c = answered(server)
    unzip(c.assessor.get(f"/campaigns/{c.id}/log.zip").content, tmp_path)
    folder = tmp_path / f"campaign-{c.id}-log"
    ok = CliRunner().invoke(cli, ["verify", str(folder)])
    assert ok.exit_code == 0, ok.output
    assert "INTACT" in ok.output and "events:            8" in ok.output
    first = json.loads((folder / "audit.jsonl").read_text().splitlines()[0])
    assert first["params"]["respondent"] == "r-data-01" and first["action"] == "answer_saved"
    # someone edits an answer event in the database: the export no longer verifies, assessing refuses
    with server.app.state.sessions.begin() as session:
        row = session.scalar(select(LogEvent).where(LogEvent.campaign_id == c.id, LogEvent.seq == 0))
        session.execute(update(LogEvent).where(LogEvent.id == row.id).values(line=row.line.replace('"value":"yes"', '"value":"no"')))
    unzip(c.assessor.get(f"/campaigns/{c.id}/log.zip").content, tmp_path / "tampered")
    bad = CliRunner().invoke(cli, ["verify", str(tmp_path / "tampered" / f"campaign-{c.id}-log")])
    assert bad.exit_code == 1 and "NOT INTACT" in bad.output
    refused = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    assert refused.status_code == 409 and "does not chain" in refused.json()["error"]


def test_nothing_to_assess_409(server):
    c = make_campaign(server)
    response = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    assert response.status_code == 409 and "nothing to assess" in response.json()["error"]


def test_import_answer_files_and_malformed_ones(server, tmp_path):
    c = answered(server)
    exported = c.assessor.get(f"/campaigns/{c.id}/answers.zip?format=yaml").content
    unzip(exported, tmp_path)
    text = (tmp_path / "answers" / "r-data-01.yaml").read_text().replace("r-data-01", "r-data-02")
    imported = c.assessor.post(f"/campaigns/{c.id}/import", data={"csrf_token": c.csrf}, files={"files": ("r-data-02.yaml", text.encode())}, follow_redirects=False)
    assert imported.status_code == 303, imported.text
    people = {r["respondent"]: r for r in c.assessor.get(f"/api/campaigns/{c.id}").json()["respondents"]}
    assert people["r-data-02"]["answered"] == 3
    broken = c.assessor.post(f"/campaigns/{c.id}/import", data={"csrf_token": c.csrf}, files={"files": ("mine.yaml", b"respondent: [unclosed\n")})
    assert broken.status_code == 422 and "mine.yaml" in broken.text and "/tmp" not in broken.text
    wrong_value = text.replace("r-data-02", "r-data-03").replace("value: partial", "value: sometimes")
    refused = c.assessor.post(f"/campaigns/{c.id}/import", data={"csrf_token": c.csrf}, files={"files": ("r3.yaml", wrong_value.encode())})
    assert refused.status_code == 422 and "r3.yaml" in refused.text and "sometimes" in refused.text
    assert "r-data-03" not in {r["respondent"] for r in c.assessor.get(f"/api/campaigns/{c.id}").json()["respondents"]}  # nothing half-imported
    submitted = c.assessor.post(f"/campaigns/{c.id}/import", data={"csrf_token": c.csrf}, files={"files": ("again.yaml", text.replace("r-data-02", "r-data-01").encode())})
    assert submitted.status_code == 409 and "reopen" in submitted.text


def test_attached_files_are_checked_when_attached(server):
    c = make_campaign(server)
    post = lambda kind, name, data: c.assessor.post(f"/campaigns/{c.id}/files", data={"kind": kind, "csrf_token": c.csrf}, files={"file": (name, data)}, follow_redirects=False)  # noqa: E731
    bad_evidence = post("evidence", "repo.json", b'{"not": "a collection"}')
    assert bad_evidence.status_code == 422 and "repo.json" in bad_evidence.text and "collect" in bad_evidence.text
    bad_waiver = post("waivers", "waivers.yaml", b"waivers:\n  - criterion: X\n")
    assert bad_waiver.status_code == 422 and "waivers.yaml" in bad_waiver.text
    assert post("other", "x.json", b"{}").status_code == 422
    good = post("waivers", "waivers.yaml", b"waivers:\n  - {criterion: REQ.data_rules.L1, justification: legacy, approved_by: cro, expires: '2030-01-01'}\n")
    assert good.status_code == 303
    assert "waivers.yaml" in c.assessor.get(f"/campaigns/{c.id}").text
    bad_decisions = post("resolutions", "decisions.yaml", b"format: mlops-audit/resolutions@1\nresolutions:\n  - {criterion: NOPE.x}\n")
    assert bad_decisions.status_code == 422 and "decisions.yaml" in bad_decisions.text and "Traceback" not in bad_decisions.text
    no_index = post("documents", "docs.zip", zip_of({"notes.md": b"# notes\n"}))
    assert no_index.status_code == 422 and "no reviewed.yaml" in no_index.text
    from mlops_audit.demo.example_org import reviewed_documents

    criterion = reviewed_documents(default_rubric())[0][3][0]  # one a reviewed document may meet
    reviewed = (
        "format: mlops-audit/reviewed-documents@1\ndocuments:\n"
        "  - {id: policy, title: Policy, path: policy.md, sha256: '%s', reviewed_by: me, reviewed_at: '2026-11-27', note: read, criteria: [%s]}\n"
    )
    changed = post("documents", "docs.zip", zip_of({"docs/reviewed.yaml": (reviewed % ("0" * 64, criterion)).encode(), "docs/policy.md": b"# policy\n"}))
    assert changed.status_code == 422 and "docs.zip: " in changed.text and "changed after review" in changed.text
    assert "/tmp" not in changed.text  # the server's folders never show
    evil = post("documents", "docs.zip", zip_of({"../reviewed.yaml": b"x"}))
    assert evil.status_code == 422


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_reports_view_and_downloads(server):
    c = answered(server)
    aid = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf}).json()["id"]
    view = c.assessor.get(f"/assessments/{aid}/files/report.en.html")
    assert view.status_code == 200 and view.headers["content-type"].startswith("text/html") and "sandbox" in view.headers["content-security-policy"]
    download = c.assessor.get(f"/assessments/{aid}/files/report.en.html?download=1")
    assert download.headers["content-disposition"].startswith("attachment;")
    for name, check in (("assessment.oscal.json", lambda b: "assessment-results" in json.loads(b)), ("assessment.sarif", lambda b: json.loads(b)["version"] == "2.1.0"), ("assessment.xlsx", lambda b: b[:2] == b"PK")):
        got = c.assessor.get(f"/assessments/{aid}/files/{name}")
        assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment;") and check(got.content), name
    assert c.assessor.get(f"/assessments/{aid}/files/../../etc/passwd").status_code == 404
    assert c.assessor.get(f"/assessments/{aid}/files/secrets.txt").status_code == 404
    assert c.assessor.get("/assessments/999/files/assessment.json").status_code == 404
    assert c.data.client.get(f"/assessments/{aid}/files/assessment.json", follow_redirects=False).status_code == 303  # respondents: sign in


def test_history_per_organisation_and_diff(server):
    c = answered(server)
    first = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf}).json()["id"]
    c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/reopen", data={"csrf_token": c.csrf})
    assert c.data.put(c.data.yes_no[2], "yes", base_version=1, evidence=["https://wiki/x"]).status_code == 200
    c.data.client.post(f"/api/respondents/{c.data.id}/submit", headers={"X-CSRF-Token": c.data.csrf})
    second = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf}).json()["id"]
    history = c.assessor.get(f"/campaigns/{c.id}/history")
    assert history.status_code == 200 and history.text.count(default_rubric().rubric.version) >= 2
    chart = history.text.split('id="trend"')[1].split("</figure>")[0]
    assert "<svg" in chart and f"#{first} " in chart and f"#{second} " in chart  # one bar per assessment
    assert "different rubric versions" not in history.text
    diff = c.assessor.get(f"/campaigns/{c.id}/diff?old={first}&new={second}")
    assert diff.status_code == 200 and c.data.yes_no[2] in diff.text
    other = make_campaign(server, organisation="Other Bank", username="bob")
    assert other.assessor.get(f"/campaigns/{other.id}/diff?old={first}&new={second}").status_code == 422


def test_detector_proposals_shown_to_respondents_never_saved_for_them(server, collection_json):
    from mlops_audit.evidence.questionnaire.prefill import parse_findings, propose

    c = make_campaign(server)
    findings = parse_findings(json.loads(collection_json), "repo.json")
    index = default_rubric().rubric.criterion_index()
    expected = {q: propose(index[q][2], findings) for q in c.data.criteria}
    expected = {q: p for q, p in expected.items() if p is not None}
    assert expected, "the tiny repository's findings propose answers to data_engineer questions"
    before = c.data.client.get(f"/r/{c.data.token}").text
    assert 'class="proposal"' not in before
    c.assessor.post(f"/campaigns/{c.id}/files", data={"kind": "evidence", "csrf_token": c.csrf}, files={"file": ("repo.json", collection_json)})
    page = c.data.client.get(f"/r/{c.data.token}").text
    shown = {q for q in c.data.criteria if 'class="proposal"' in page.split(f'data-criterion="{q}"')[1].split("</fieldset>")[0]}
    assert shown == set(expected)
    first = sorted(expected)[0]
    assert expected[first].proposed_by in page
    assert c.data.client.get(f"/api/respondents/{c.data.id}/answers").json()["answers"] == []  # nothing saved for them
    if index[first][2].question.type.value != "number":
        c.data.put(first, expected[first].value if expected[first].value is not None else "n/a")
        after = c.data.client.get(f"/r/{c.data.token}").text
        assert 'class="proposal"' not in after.split(f'data-criterion="{first}"')[1].split("</fieldset>")[0]  # answered: no longer proposed


def test_demo_bank_loads_as_two_finished_campaigns_once_and_assesses_as_the_cli_demo(server, tmp_path, monkeypatch, steady_ci_timer):
    from mlops_audit.demo.example_org import ORGANISATION, PERSONAS, ROSTER
    from mlops_audit.server.demo import load_demo

    if not server.url.startswith("sqlite"):
        pytest.skip("loading the demo (20 s) exercises no database feature the other PostgreSQL runs do not; run on SQLite")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    ids = load_demo(server.app.state.sessions, server.app.state.rubric)
    assert load_demo(server.app.state.sessions, server.app.state.rubric) == ids and len(ids) == 2  # not twice
    client = server.assessor()
    last, this = (client.get(f"/api/campaigns/{i}").json() for i in ids)
    for campaign in (last, this):
        assert campaign["organisation"] == ORGANISATION.name
        assert sorted(r["respondent"] for r in campaign["respondents"]) == sorted(p.id for p in PERSONAS)
        assert campaign["pending"] == [] and all(0 < r["answered"] <= r["asked"] for r in campaign["respondents"])
    history = client.get(f"/campaigns/{ids[1]}/history").text
    found = re.findall(r'<option value="(\d+)"', history)
    assert len(set(found)) == 2
    old, new = sorted({int(x) for x in found})
    diff = client.get(f"/campaigns/{ids[1]}/diff?old={old}&new={new}")
    assert diff.status_code == 200 and "improved" in diff.text.lower()
    assert json.loads(client.get(f"/api/assessments/{new}").content)["assessed_at"] > json.loads(client.get(f"/api/assessments/{old}").content)["assessed_at"]
    # this year's campaign is assessed with everything the CLI demo uses; the CLI gives the same
    # bytes from inputs.zip with the command it carries
    served = client.get(f"/api/assessments/{new}").content
    assessment = json.loads(served)
    kinds = sorted({i["kind"] for i in assessment["inputs"]})
    assert kinds == ["answers", "answers_log", "documents", "repo", "resolutions", "run", "trust_key", "waivers"]
    assert assessment["conflicts"] and any(c["resolution"] for c in assessment["conflicts"])
    unzip(client.get(f"/campaigns/{ids[1]}/inputs.zip").content, tmp_path / "in")
    argv = shlex.split((tmp_path / "in" / "assess-command.txt").read_text())
    argv[argv.index("--assessor") + 1] = "mlops-audit demo"  # the demo's assessor, not the downloader
    monkeypatch.chdir(tmp_path / "in")
    result = CliRunner().invoke(cli, argv[1:])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "in" / "out" / "assessment.json").read_bytes() == served

    # and it is `mlops-audit demo`'s assessment: the same document once the server's file names
    # are mapped to the CLI demo's, apart from what legitimately differs (see normalise)
    demo = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "cli"), "--lang", "en"])
    assert demo.exit_code == 0, demo.output
    cli_demo = json.loads((tmp_path / "cli" / "assessment.json").read_bytes())
    runs = [(r["credited"], r["strength"], r["trusted_signer"], r["reference"]) for r in assessment["runs"]]
    assert runs == [(True, "verified", True, True)] * 2  # the run and its nested validation trail
    assert assessment["regulatory"]["profiles"] == [{"id": "cn-finance", "scored": True, "version": assessment["regulatory"]["profiles"][0]["version"]}]
    expected, got = normalise(cli_demo, assessment)
    assert got == expected
    assert (assessment["overall"], assessment["domains"]) == (cli_demo["overall"], cli_demo["domains"])
    # the roster: the server's is the campaign's respondents, the CLI demo's the bank's staff list
    assert sorted(e["person"] for e in assessment["roster"]) == sorted(p.id for p in PERSONAS)
    assert sorted(e["person"] for e in cli_demo["roster"]) == sorted(e.person for e in ROSTER)


def normalise(cli_doc: dict, served: dict) -> tuple[dict, dict]:
    """Both assessments with the server's file names mapped to the CLI demo's and set aside what
    legitimately differs: the assessment id (a digest of the inputs), input digests and the
    answers log (the server's files are JSON, the log is the server's), the run's signer and hashes
    (a run signed with another fresh key: the same events, other bytes), the line:column of a
    warning in an answer file (xlsx/yaml there, JSON here), and roster and role coverage (the
    campaign's respondents here, the bank's staff list in the CLI demo's files)."""
    by_kind = lambda doc, kind: [i["name"] for i in doc["inputs"] if i["kind"] == kind]  # noqa: E731
    names = {}
    for kind in ("documents", "repo", "run", "trust_key", "resolutions", "waivers"):
        (mine,), (theirs,) = by_kind(served, kind), by_kind(cli_doc, kind)
        names[mine] = theirs
    for mine in by_kind(served, "answers"):
        stem = mine.rsplit("/", 1)[1].rsplit(".", 1)[0]
        names[mine] = next(c for c in by_kind(cli_doc, "answers") if c.rsplit("/", 1)[1].rsplit(".", 1)[0] == stem)
    for mine, theirs in zip(served["runs"], cli_doc["runs"], strict=True):
        names[mine["head_hash"]] = theirs["head_hash"]
    text = json.dumps(served, ensure_ascii=False)
    for mine in sorted(names, key=len, reverse=True):
        text = text.replace(json.dumps(mine)[1:-1], json.dumps(names[mine])[1:-1])
    out = []
    for doc in (cli_doc, json.loads(text)):
        doc = {k: v for k, v in doc.items() if k not in ("assessment_id", "roster", "roles")}
        doc["regulatory"] = {k: v for k, v in doc["regulatory"].items() if k != "assessment_id"}
        doc["inputs"] = [{k: v for k, v in i.items() if k != "sha256"} for i in doc["inputs"] if i["kind"] != "answers_log"]
        doc["runs"] = [{k: v for k, v in r.items() if k not in ("signer", "head_hash", "merkle_root")} for r in doc["runs"]]
        doc["warnings"] = [re.sub(r"^(\S+?):\d+:\d+:", r"\1:", w) for w in doc["warnings"]]
        out.append(doc)
    return out[0], out[1]


def test_dashboard_shows_conflicts_with_evidence_live_as_answers_arrive(server, collection_json):
    from mlops_audit.evidence.questionnaire.prefill import parse_findings, propose

    c = make_campaign(server)
    findings = parse_findings(json.loads(collection_json), "repo.json")
    index = default_rubric().rubric.criterion_index()
    denied = [q for q in c.data.yes_no if (p := propose(index[q][2], findings)) is not None and p.value == "no"]
    assert len(denied) >= 2, "the tiny repository's failing detectors cover data_engineer questions"
    shown = lambda: c.assessor.get(f"/api/campaigns/{c.id}").json()  # noqa: E731
    assert c.data.put(denied[0], "yes").status_code == 200  # claims a detector looked for and did not find
    assert shown()["conflicts"] == []  # no evidence attached: no conflict is possible
    c.assessor.post(f"/campaigns/{c.id}/files", data={"kind": "evidence", "csrf_token": c.csrf}, files={"file": ("repo.json", collection_json)})
    first = shown()
    assert first["conflicts_error"] is None
    assert [(x["criterion"], x["respondents"]) for x in first["conflicts"]] == [(denied[0], ["r-data-01"])]  # a draft, not submitted
    assert shown()["conflicts"] == first["conflicts"]  # kept (same log head, same files)
    for q in denied[1:4]:
        assert c.data.put(q, "yes").status_code == 200
    live = shown()["conflicts"]
    assert sorted(x["criterion"] for x in live) == sorted(denied[:4])  # the next answer shows at once
    page = c.assessor.get(f"/campaigns/{c.id}").text.split('id="conflicts"')[1].split("</table>")[0]
    assert all(q in page for q in denied[:4])
    # once submitted and assessed, the assessment records exactly what the dashboard showed
    c.data.client.post(f"/api/respondents/{c.data.id}/submit", headers={"X-CSRF-Token": c.data.csrf})
    aid = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf}).json()["id"]
    recorded = json.loads(c.assessor.get(f"/api/assessments/{aid}").content)["conflicts"]
    assert [(x["criterion"], x["kind"], x["respondents"], x["detail"]) for x in recorded] == [
        (x["criterion"], x["kind"], x["respondents"], x["detail"]) for x in shown()["conflicts"]
    ]


def zipped_run(tmp_path, *, tamper: bool = False) -> bytes:
    """A closed, verifiable pipeline run made with the audit-trail SDK, zipped as its folder."""
    from mlops_audit.evidence.trail import AuditTrail

    run = tmp_path / "run-2026"
    trail = AuditTrail.create(run, run_id="credit-2026")
    (run / "dq.json").write_text('{"missing_ratio": 0.002}')
    trail.record(clause="PA.2.step1", action="quality_checks", actor="job:dq", role="data_engineer", outputs=["dq.json"])
    trail.close()
    if tamper:
        (run / "dq.json").write_text('{"missing_ratio": 0.2}')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(run.rglob("*")):
            archive.write(path, path.relative_to(tmp_path).as_posix())
    return buffer.getvalue()


def test_a_zipped_pipeline_run_is_verified_when_attached_and_assessed_as_the_cli_does(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    c = answered(server)
    post = lambda name, data: c.assessor.post(f"/campaigns/{c.id}/files", data={"kind": "run", "csrf_token": c.csrf}, files={"file": (name, data)}, follow_redirects=False)  # noqa: E731
    tampered = post("bad.zip", zipped_run(tmp_path / "t", tamper=True))
    assert tampered.status_code == 422 and "does not verify" in tampered.text
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/cron.d/x", "boom")
    assert post("evil.zip", evil.getvalue()).status_code == 422
    assert post("notzip.zip", b"plain text").status_code == 422
    assert post("run-2026.zip", zipped_run(tmp_path / "ok")).status_code == 303
    made = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    assert made.status_code == 201, made.text
    served = c.assessor.get(f"/api/assessments/{made.json()['id']}").content
    runs = json.loads(served)["runs"]
    assert runs and runs[0]["ok"] and runs[0]["run_id"] == "credit-2026"
    names = unzip(c.assessor.get(f"/campaigns/{c.id}/inputs.zip").content, tmp_path / "in")
    assert "runs/1-run-2026/run-2026/audit.jsonl" in names and f"campaign-{c.id}-log/audit.jsonl" in names
    monkeypatch.chdir(tmp_path / "in")
    result = CliRunner().invoke(
        cli,
        ["assess", "--answers", "answers", "--answers-log", f"campaign-{c.id}-log", "--run", "runs/1-run-2026/run-2026", "--organisation", "Bank of Tests", "--scope", "AI team", "--assessor", "alice", "--out", "out"],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "in" / "out" / "assessment.json").read_bytes() == served
