"""A campaign's assessment settings: trusted keys, the reference pipeline's runs, regulator profiles.

From the outside (TestClient): set on the dashboard and through the JSON API, recorded with the
assessment, exported in inputs.zip with the command that makes the CLI write the same bytes; bad
keys, unknown profiles and runs that do not verify are refused with a clear message, nothing saved.
"""

from __future__ import annotations

import hashlib
import io
import json
import shlex
import zipfile

from click.testing import CliRunner
from markupsafe import escape

from mlops_audit.cli import cli
from mlops_audit.evidence.questionnaire.form import routed_to
from mlops_audit.evidence.trail.keys import generate_signing_key, key_id, public_key_pem
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.profiles import with_profiles
from tests.server.helpers import make_campaign

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
PROFILE = "cn-finance"


def signed_reference_run(tmp_path, key, organisation: str = "Bank of Tests") -> bytes:  # noqa: ANN001
    """A closed run that names itself the bundled reference pipeline, signed with `key`, zipped."""
    from mlops_audit.evidence.trail import AuditTrail

    run = tmp_path / "ref-run"
    trail = AuditTrail.create(run, run_id="ref-2026", system={"id": "mlops-audit-reference-pipeline", "organisation": organisation, "reference": True})
    (run / "dq.json").write_text('{"missing_ratio": 0.002}')
    trail.record(clause="PA.2.step1", action="quality_checks", actor="job:dq", role="data_engineer", outputs=["dq.json"])
    trail.close(signing_key=key)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(run.rglob("*")):
            archive.write(path, path.relative_to(tmp_path).as_posix())
    return buffer.getvalue()


def attach(c, kind: str, name: str, data: bytes, *, api: bool = True):  # noqa: ANN001, ANN201
    if api:
        return c.assessor.post(f"/api/campaigns/{c.id}/files", data={"kind": kind}, files={"file": (name, data)}, headers={"X-CSRF-Token": c.csrf})
    return c.assessor.post(f"/campaigns/{c.id}/files", data={"kind": kind, "csrf_token": c.csrf}, files={"file": (name, data)}, follow_redirects=False)


def put_settings(c, **body):  # noqa: ANN001, ANN003, ANN201
    return c.assessor.put(f"/api/campaigns/{c.id}/settings", json=body, headers={"X-CSRF-Token": c.csrf})


def profile_question(roles: list[str]) -> str:
    """A question of the profile routed to these roles (yes/no kind)."""
    combined = with_profiles(default_rubric(), [PROFILE])
    base = set(default_rubric().rubric.criterion_index())
    return next(
        c.id for _d, _p, c in combined.rubric.criteria()
        if c.id not in base and routed_to(c, roles) and c.question.type.value == "yes_no"
    )


def test_settings_are_assessed_recorded_and_reproduced_by_the_cli_byte_for_byte(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    c = make_campaign(server)
    key = generate_signing_key()
    # a trusted key through the JSON API: checked by the CLI's loader, its fingerprint returned
    added = attach(c, "trust_key", "signer.pem", public_key_pem(key))
    assert added.status_code == 201, added.text
    assert added.json()["fingerprint"] == key_id(key) and added.json()["kind"] == "trust_key"
    assert attach(c, "run", "ref-run.zip", signed_reference_run(tmp_path / "r", key), api=False).status_code == 303
    # profiles and the reference run on the dashboard's form
    form = c.assessor.post(f"/campaigns/{c.id}/settings", data={"csrf_token": c.csrf, "profiles": [PROFILE], "accept_reference_runs": "1"}, follow_redirects=False)
    assert form.status_code == 303
    shown = c.assessor.get(f"/api/campaigns/{c.id}/settings").json()
    assert shown["profiles"] == [PROFILE] and shown["accept_reference_runs"] is True
    assert [k["fingerprint"] for k in shown["trust_keys"]] == [key_id(key)]
    assert PROFILE in {p["id"] for p in shown["available_profiles"]}
    page = c.assessor.get(f"/campaigns/{c.id}").text
    assert key_id(key) in page and "they show the reference pipeline, not the assessed organisation" in page
    assert f'value="{PROFILE}" checked' in page and 'name="accept_reference_runs" value="1" checked' in page

    # the respondent now sees the profile's questions and answers one
    question = profile_question(["data_engineer"])
    assert question in c.data.client.get(f"/r/{c.data.token}").text
    assert c.data.put(question, "yes").status_code == 200
    for criterion, value in zip(c.data.yes_no[:3], ("yes", "partial", "no"), strict=True):
        assert c.data.put(criterion, value).status_code == 200
    assert c.data.client.post(f"/api/respondents/{c.data.id}/submit", headers={"X-CSRF-Token": c.data.csrf}).status_code == 200

    made = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    assert made.status_code == 201, made.text
    served = c.assessor.get(f"/api/assessments/{made.json()['id']}").content
    assessment = json.loads(served)
    run = assessment["runs"][0]
    assert (run["credited"], run["strength"], run["trusted_signer"], run["reference"]) == (True, "verified", True, True)
    assert any(x["kind"] == "run_reference" and x["severity"] == "warning" for x in assessment["caveats"])
    assert assessment["regulatory"] and PROFILE in assessment["rubric"]["version"]
    assert any(i["kind"] == "trust_key" for i in assessment["inputs"])
    assert made.json()["settings"]["profiles"] == [PROFILE] and made.json()["settings"]["accept_reference_runs"] is True

    # the export and its command: the CLI writes the same bytes
    archive = zipfile.ZipFile(io.BytesIO(c.assessor.get(f"/campaigns/{c.id}/inputs.zip").content))
    archive.extractall(tmp_path / "in")
    command = (tmp_path / "in" / "assess-command.txt").read_text()
    assert made.json()["command"] == f"SOURCE_DATE_EPOCH={EPOCH} {command.strip()}"
    assert str(escape(made.json()["command"])) in c.assessor.get(f"/campaigns/{c.id}").text  # shown beside the assessment
    assert command == (  # the command docs/serve.md shows
        f"mlops-audit assess --answers answers --answers-log campaign-{c.id}-log --run runs/2-ref-run/ref-run --trust-key keys/1-signer.pem "
        "--accept-reference-run --profile cn-finance --organisation 'Bank of Tests' --scope 'AI team' --assessor alice --out out\n"
    )
    argv = shlex.split(command)
    assert argv[:2] == ["mlops-audit", "assess"] and "--accept-reference-run" in argv
    assert argv[argv.index("--profile") + 1] == PROFILE and argv[argv.index("--trust-key") + 1].startswith("keys/")
    monkeypatch.chdir(tmp_path / "in")
    result = CliRunner().invoke(cli, argv[1:])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "in" / "out" / "assessment.json").read_bytes() == served
    # without the settings the CLI's assessment differs: they are what the command carries
    plain = [a for a in argv[1:] if a != "--accept-reference-run"]
    plain[plain.index("--out") + 1] = "out2"
    CliRunner().invoke(cli, plain)
    assert json.loads((tmp_path / "in" / "out2" / "assessment.json").read_bytes())["runs"][0]["credited"] is False


def test_bad_keys_unknown_profiles_and_unverified_runs_are_refused_and_nothing_saved(server, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    c = make_campaign(server)
    settings = lambda: c.assessor.get(f"/api/campaigns/{c.id}/settings").json()  # noqa: E731
    before = settings()
    not_pem = attach(c, "trust_key", "notes.pem", b"hello, not a key\n")
    assert not_pem.status_code == 422 and "notes.pem" in not_pem.json()["error"] and "Ed25519 public key in PEM form" in not_pem.json()["error"]
    private = attach(c, "trust_key", "secret.pem", b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n", api=False)
    assert private.status_code == 422 and "private key" in private.text and "Traceback" not in private.text
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    wrong_kind = attach(c, "trust_key", "rsa.pem", rsa_pem)
    assert wrong_kind.status_code == 422 and "Ed25519" in wrong_kind.json()["error"]
    assert attach(c, "trust_key", "big.pem", b"-" * (17 * 1024)).status_code == 413
    unknown = put_settings(c, profiles=["cn-finance", "no-such-regime"], accept_reference_runs=True)
    assert unknown.status_code == 422 and "no-such-regime" in unknown.json()["error"] and PROFILE in unknown.json()["error"]
    form = c.assessor.post(f"/campaigns/{c.id}/settings", data={"csrf_token": c.csrf, "profiles": ["nope"]})
    assert form.status_code == 422 and "nope" in form.text
    tampered = io.BytesIO()
    key = generate_signing_key()
    good_run = signed_reference_run(tmp_path / "t", key)
    with zipfile.ZipFile(io.BytesIO(good_run)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b'{"missing_ratio": 0.5}' if item.filename.endswith("dq.json") else data)
    refused = attach(c, "run", "ref-run.zip", tampered.getvalue())
    assert refused.status_code == 422 and "ref-run.zip" in refused.json()["error"] and "does not verify" in refused.json()["error"]
    assert settings() == before  # nothing saved by any of them
    # a profile someone answered cannot be dropped silently
    assert put_settings(c, profiles=[PROFILE]).status_code == 200
    question = profile_question(["data_engineer"])
    assert c.data.put(question, "no").status_code == 200
    dropped = put_settings(c, profiles=[])
    assert dropped.status_code == 409 and question in dropped.json()["error"]
    assert settings()["profiles"] == [PROFILE]


def test_settings_are_the_assessors_only(server):
    c = make_campaign(server)
    stranger = server.client()
    assert stranger.get(f"/api/campaigns/{c.id}/settings").status_code == 401
    assert c.assessor.put(f"/api/campaigns/{c.id}/settings", json={"profiles": [PROFILE]}).status_code == 403  # no CSRF token
    assert c.assessor.post(f"/api/campaigns/{c.id}/files", data={"kind": "trust_key"}, files={"file": ("k.pem", b"x")}).status_code == 403
    bearer = {"Authorization": f"Bearer {c.data.token}"}
    assert c.data.client.get(f"/api/campaigns/{c.id}/settings", headers=bearer).status_code in (401, 403)
    assert c.data.client.put(f"/api/campaigns/{c.id}/settings", json={"profiles": [PROFILE]}, headers=bearer).status_code in (401, 403)
    assert c.assessor.get(f"/api/campaigns/{c.id}/settings").json()["profiles"] == []
    assert c.assessor.put("/api/campaigns/999/settings", json={"profiles": []}, headers={"X-CSRF-Token": c.csrf}).status_code == 404


def zip_folder(folder) -> bytes:  # noqa: ANN001
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())
    return buffer.getvalue()


def test_a_portfolio_folder_is_checked_attached_assessed_and_reproduced(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    c = make_campaign(server)
    estate = tmp_path / "estate"
    for n in range(3):
        repo = estate / f"svc-{n}"
        (repo / "tests").mkdir(parents=True)
        (repo / "README.md").write_text(f"# service {n}\n")
        (repo / "tests" / "test_model.py").write_text("def test_fit():\n    assert True\n")
    collected = CliRunner().invoke(cli, ["portfolio", "collect", str(estate), "--out", str(tmp_path / "portfolio"), "--jobs", "1"])
    assert collected.exit_code == 0, collected.output
    no_index = attach(c, "portfolio", "p.zip", zip_folder(tmp_path / "estate"))
    assert no_index.status_code == 422 and "no portfolio.json" in no_index.json()["error"]
    broken = tmp_path / "broken" / "portfolio"
    broken.mkdir(parents=True)
    (broken / "portfolio.json").write_text('{"format": "nope"}')
    bad = attach(c, "portfolio", "broken.zip", zip_folder(broken))
    assert bad.status_code == 422 and "broken.zip" in bad.json()["error"] and "/tmp" not in bad.json()["error"]
    good = attach(c, "portfolio", "portfolio.zip", zip_folder(tmp_path / "portfolio"))
    assert good.status_code == 201, good.text
    assert 'portfolio: <span class="mono">portfolio.zip</span>' in c.assessor.get(f"/campaigns/{c.id}").text  # listed once stored
    for criterion in c.data.yes_no[:2]:
        assert c.data.put(criterion, "yes").status_code == 200
    assert c.data.client.post(f"/api/respondents/{c.data.id}/submit", headers={"X-CSRF-Token": c.data.csrf}).status_code == 200
    made = c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf})
    assert made.status_code == 201, made.text
    served = c.assessor.get(f"/api/assessments/{made.json()['id']}").content
    recorded = [i for i in json.loads(served)["inputs"] if i["kind"] == "portfolio"]
    assert len(recorded) == 1 and recorded[0]["sha256"] == hashlib.sha256((tmp_path / "portfolio" / "portfolio.json").read_bytes()).hexdigest()
    zipfile.ZipFile(io.BytesIO(c.assessor.get(f"/campaigns/{c.id}/inputs.zip").content)).extractall(tmp_path / "in")
    argv = shlex.split((tmp_path / "in" / "assess-command.txt").read_text())
    assert argv[argv.index("--portfolio") + 1] == recorded[0]["name"]
    monkeypatch.chdir(tmp_path / "in")
    result = CliRunner().invoke(cli, argv[1:])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "in" / "out" / "assessment.json").read_bytes() == served


def logged_events(c, tmp_path) -> list[dict]:  # noqa: ANN001
    """The campaign's exported log (log.zip), verified by `mlops-audit verify`; its events."""
    data = c.assessor.get(f"/campaigns/{c.id}/log.zip").content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path)
        folder = tmp_path / archive.namelist()[0].split("/")[0]
    verified = CliRunner().invoke(cli, ["verify", str(folder)])
    assert verified.exit_code == 0, verified.output
    return [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]


def test_settings_changes_and_campaign_files_are_in_the_hash_chained_log(server, tmp_path):
    """What the assessment credits (profiles, reference runs, keys, evidence) is changed by assessors
    after respondents answered; the log says who changed what, from what to what, in the same chain."""
    c = make_campaign(server)
    key_pem = public_key_pem(generate_signing_key().public_key())
    assert attach(c, "trust_key", "team.pem.pub", key_pem).status_code == 201
    assert put_settings(c, profiles=[PROFILE], accept_reference_runs=True).status_code == 200
    assert put_settings(c, profiles=[PROFILE], accept_reference_runs=True).status_code == 200  # saved unchanged: no entry
    refused = put_settings(c, profiles=["no-such-profile"], accept_reference_runs=False)
    assert refused.status_code == 422  # refused: nothing changed, nothing logged
    form = c.assessor.post(f"/campaigns/{c.id}/settings", data={"csrf_token": c.csrf, "profiles": PROFILE}, follow_redirects=False)
    assert form.status_code == 303  # the dashboard's form: reference runs switched off again

    events = logged_events(c, tmp_path)
    assert [(e["action"], e["actor"], e["role"]) for e in events] == [
        ("campaign_file_added", "assessor:alice", "assessor"),
        ("settings_changed", "assessor:alice", "assessor"),
        ("settings_changed", "assessor:alice", "assessor"),
    ]
    assert events[0]["params"] == {"kind": "trust_key", "filename": "team.pem.pub", "sha256": hashlib.sha256(key_pem).hexdigest()}
    assert events[1]["params"] == {"changes": {"profiles": {"from": [], "to": [PROFILE]}, "accept_reference_runs": {"from": False, "to": True}}}
    assert events[2]["params"] == {"changes": {"accept_reference_runs": {"from": True, "to": False}}}
