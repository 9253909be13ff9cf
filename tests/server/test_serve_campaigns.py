"""Campaigns and answering through HTTP: routing, validation, autosave, locking, attachments, restarts."""

from __future__ import annotations

import re

from mlops_audit.server.app import create_app
from tests.server.conftest import SETUP_CODE, Server
from tests.server.helpers import make_campaign, page_csrf, routed


def test_campaign_made_through_the_pages(server):
    client = server.assessor()
    token = page_csrf(client.get("/campaigns").text)
    made = client.post("/campaigns", data={"organisation": "Bank A", "scope": "retail credit", "teams": "risk, retail", "csrf_token": token}, follow_redirects=False)
    assert made.status_code == 303
    dashboard = client.get(made.headers["location"])
    assert dashboard.status_code == 200 and "Bank A" in dashboard.text and "retail credit" in dashboard.text
    added = client.post(
        made.headers["location"] + "/respondents",
        data={"pseudonym": "r-ops-01", "roles": ["ops_engineer", "mlops_engineer"], "team": "risk", "lang": "zh", "csrf_token": token},
    )
    assert added.status_code == 200
    link = re.search(r'id="invitation-link">([^<]+)<', added.text).group(1)
    page = server.client().get(link.replace("http://127.0.0.1:8000", ""))
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    shown = re.findall(r'data-criterion="([^"]+)"', page.text)
    assert shown == routed(["ops_engineer", "mlops_engineer"])
    assert client.get("/campaigns").text.count("Bank A") >= 1


def test_bad_campaign_and_respondent_input_422_with_the_reason(server):
    c = make_campaign(server)
    post = lambda path, body: c.assessor.post(path, json=body, headers={"X-CSRF-Token": c.csrf})  # noqa: E731
    assert "organisation" in post("/api/campaigns", {"organisation": "  "}).json()["error"]
    bad_role = post(f"/api/campaigns/{c.id}/respondents", {"respondent": "r-x", "roles": ["wizard"]})
    assert bad_role.status_code == 422 and "wizard" in bad_role.json()["error"]
    bad_name = post(f"/api/campaigns/{c.id}/respondents", {"respondent": "Zhang San <boss>", "roles": ["business"]})
    assert bad_name.status_code == 422 and "pseudonym" in bad_name.json()["error"]
    bad_team = post(f"/api/campaigns/{c.id}/respondents", {"respondent": "r-x", "roles": ["business"], "team": "marketing"})
    assert bad_team.status_code == 422 and "risk, retail" in bad_team.json()["error"]
    twice = post(f"/api/campaigns/{c.id}/respondents", {"respondent": "r-data-01", "roles": ["business"]})
    assert twice.status_code == 409
    assert post("/api/campaigns/999/respondents", {"respondent": "r-y", "roles": ["business"]}).status_code == 404


def test_respondent_sees_only_routed_questions_in_their_language(server):
    c = make_campaign(server)
    page = c.data.client.get(f"/r/{c.data.token}")
    assert re.findall(r'data-criterion="([^"]+)"', page.text) == c.data.criteria
    assert 'lang="en"' in page.text
    zh = c.data.client.get(f"/r/{c.data.token}?lang=zh")
    assert 'lang="zh-CN"' in zh.text and "答案" in zh.text


def test_answer_validation_routing_and_versions(server):
    c = make_campaign(server)
    first = c.data.yes_no[0]
    not_mine = next(x for x in c.model.criteria if x not in c.data.criteria)
    bad = c.data.put(first, "maybe")
    assert bad.status_code == 422 and "expected yes, no, partial" in bad.json()["error"]
    assert c.data.put(not_mine, "yes").status_code == 403
    assert c.data.put("NO.such.criterion", "yes").status_code == 404
    saved = c.data.put(first, "是", comment="见数据规范", evidence=["https://wiki/data-rules"])
    assert saved.status_code == 200 and saved.json()["value"] == "yes" and saved.json()["version"] == 1  # canonical value
    stale = c.data.put(first, "no", base_version=None)  # edited from a page that had not seen version 1
    assert stale.status_code == 409 and "changed elsewhere" in stale.json()["error"]
    assert c.data.put(first, "no", base_version=1).json()["version"] == 2
    unchanged = c.data.put(first, "no", base_version=2)
    assert unchanged.json()["version"] == 2  # nothing changed: same version, no log event
    kept = c.data.client.get(f"/api/respondents/{c.data.id}/answers").json()["answers"]
    assert [(a["criterion"], a["value"], a["version"]) for a in kept] == [(first, "no", 2)]
    log = c.assessor.get(f"/api/campaigns/{c.id}").json()["log"]
    assert log["events"] == 2


def test_concurrent_saves_of_one_answer_one_wins_one_409(server):
    c = make_campaign(server)
    first = c.data.yes_no[0]
    assert c.data.put(first, "yes").status_code == 200
    # two tabs both saw version 1 and both save
    a = c.data.put(first, "no", base_version=1)
    b = c.data.put(first, "partial", base_version=1)
    assert (a.status_code, b.status_code) == (200, 409)
    final = c.data.client.get(f"/api/respondents/{c.data.id}/answers").json()["answers"][0]
    assert (final["value"], final["version"]) == ("no", 2)


def test_submit_locks_and_the_assessor_reopens(server):
    c = make_campaign(server)
    first = c.data.yes_no[0]
    c.data.put(first, "yes")
    submitted = c.data.client.post(f"/r/{c.data.token}/submit", data={"csrf_token": c.data.csrf}, follow_redirects=False)
    assert submitted.status_code == 303
    locked = c.data.put(first, "no", base_version=1)
    assert locked.status_code == 409 and "reopen" in locked.json()["error"]
    assert 'id="locked"' in c.data.client.get(f"/r/{c.data.token}").text
    assert c.data.client.post(f"/r/{c.data.token}/submit", data={"csrf_token": c.data.csrf}).status_code == 409
    reopened = c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/reopen", data={"csrf_token": c.csrf}, follow_redirects=False)
    assert reopened.status_code == 303
    assert c.data.put(first, "no", base_version=1).status_code == 200
    assert c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/reopen", data={"csrf_token": c.csrf}).status_code == 409
    actions = [e for e in c.assessor.get(f"/api/campaigns/{c.id}").json()["log"].values()]
    assert actions[0] == 4  # saved, submitted, reopened, saved


def test_assessors_cannot_answer_for_respondents(server):
    c = make_campaign(server)
    response = c.assessor.put(f"/api/respondents/{c.data.id}/answers/{c.data.yes_no[0]}", json={"value": "yes"}, headers={"X-CSRF-Token": c.csrf})
    assert response.status_code == 403
    assert c.assessor.get(f"/api/respondents/{c.data.id}/answers").status_code == 200  # but may read them


def test_answers_survive_a_server_restart(server):
    c = make_campaign(server)
    c.data.put(c.data.yes_no[0], "partial", comment="half done")
    server.app.state.engine.dispose()
    restarted = Server(create_app(server.url, setup_code=SETUP_CODE), server.url)
    client = restarted.client()
    page = client.get(f"/r/{c.data.token}")  # same link, new process
    assert page.status_code == 200 and "half done" in page.text
    assert client.get(f"/api/respondents/{c.data.id}/answers").json()["answers"][0]["value"] == "partial"
    restarted.app.state.engine.dispose()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachments_capped_type_checked_and_never_inline(server):
    c = make_campaign(server)
    first = c.data.yes_no[0]
    upload = lambda name, data, who=c.data: who.client.post(  # noqa: E731
        f"/r/{who.token}/attachments", data={"criterion": first if who is c.data else who.yes_no[0], "csrf_token": who.csrf}, files={"file": (name, data)}, follow_redirects=False
    )
    assert upload("policy.pdf", PDF).status_code == 303
    assert upload("page.html", b"<html><script>alert(1)</script></html>").status_code == 415
    assert upload("notes.txt", b"<script>alert(1)</script>").status_code == 415  # markup dressed as text
    assert upload("fake.pdf", b"MZ\x90\x00 not a pdf").status_code == 415
    assert upload("big.pdf", PDF + b"0" * (2 * 1024 * 1024)).status_code == 413
    assert upload("empty.txt", b"").status_code == 422
    page = c.data.client.get(f"/r/{c.data.token}")
    href = re.search(r'href="(/r/[^"]+/attachments/(\d+))"', page.text)
    got = c.data.client.get(href.group(1))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff" and "sandbox" in got.headers["content-security-policy"]
    # another respondent's link cannot fetch it; the assessor can
    assert c.model.client.get(f"/r/{c.model.token}/attachments/{href.group(2)}").status_code == 403
    assert c.assessor.get(f"/campaigns/{c.id}/attachments/{href.group(2)}").content == PDF


def test_dashboard_completion_pending_and_contested(server):
    c = make_campaign(server)
    shared = [x for x in c.data.yes_no if x in c.model.yes_no]
    assert shared, "data_engineer and data_scientist share questions in the bundled rubric"
    c.data.put(shared[0], "yes")
    c.model.put(shared[0], "no")
    assert c.data.put(next(x for x in c.data.yes_no if x != shared[0]), "yes").status_code == 200
    c.data.client.post(f"/r/{c.data.token}/submit", data={"csrf_token": c.data.csrf})
    data = c.assessor.get(f"/api/campaigns/{c.id}").json()
    groups = {g["label"]: g for g in data["groups"]}
    assert groups["team: risk"] == {"label": "team: risk", "respondents": 1, "submitted": 1, "answered": 2, "asked": len(c.data.criteria)}
    assert groups["role: data_scientist"]["answered"] == 1 and groups["role: data_scientist"]["submitted"] == 0
    assert data["pending"] == ["r-model-01"]
    assert [x["criterion"] for x in data["contested"]] == [shared[0]]
    page = c.assessor.get(f"/campaigns/{c.id}").text
    assert "r-model-01" in page.split('id="pending"')[1][:200] and shared[0] in page.split('id="contested"')[1]


def test_a_campaign_of_another_rubric_version_is_refused_with_the_reason(server):
    from sqlalchemy import update

    from mlops_audit.server.db import Campaign as CampaignRow

    c = make_campaign(server)
    with server.app.state.sessions.begin() as session:
        session.execute(update(CampaignRow).values(rubric_version="0.9.0"))
    page = c.data.client.get(f"/r/{c.data.token}")
    assert page.status_code == 409 and "0.9.0" in page.text
    assert c.data.put(c.data.yes_no[0], "yes").status_code == 409
    assert c.assessor.post(f"/api/campaigns/{c.id}/assess", headers={"X-CSRF-Token": c.csrf}).status_code == 409


def test_uploads_are_looked_at_only_after_the_sender_is_known(server):
    c = make_campaign(server)
    stranger = server.client()
    token = page_csrf(stranger.get("/login").text)
    unknown = stranger.post("/r/not-a-link/attachments", data={"criterion": c.data.yes_no[0], "csrf_token": token}, files={"file": ("x.html", b"<html>")})
    assert unknown.status_code == 404
    refused = stranger.post(f"/campaigns/{c.id}/files", data={"kind": "evidence", "csrf_token": token}, files={"file": ("x.json", b"{}")}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/login"


def test_imported_answers_outside_the_roles_are_kept_as_the_cli_keeps_them(server):
    """An answer file may answer questions not asked of its respondent's roles (the CLI counts them
    only where no routed role answered): importing keeps them, in the exported file and the
    assessment, but completion counts only routed questions and the respondent cannot add more."""
    import json

    from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RubricRef
    from mlops_audit.rubric.loader import default_rubric

    c = make_campaign(server)
    mine, theirs = routed(["business"])[0], routed(["data_engineer"])[0]
    assert theirs not in routed(["business"])
    loaded = default_rubric()
    model = AnswerFile(
        rubric=RubricRef(**loaded.ref), organisation=Organisation(name="Bank of Tests", scope="AI team"),
        respondent=Respondent(id="r-biz-01", roles=["business"]),
        answers=[Answer(criterion=mine, value="yes"), Answer(criterion=theirs, value="no")],
    )
    imported = c.assessor.post(f"/campaigns/{c.id}/import", data={"csrf_token": c.csrf}, files={"files": ("biz.json", model.model_dump_json().encode())}, follow_redirects=False)
    assert imported.status_code == 303, imported.text
    person = next(r for r in c.assessor.get(f"/api/campaigns/{c.id}").json()["respondents"] if r["respondent"] == "r-biz-01")
    assert person["answered"] == 1 and person["asked"] == len(routed(["business"]))
    answers = c.assessor.get(f"/api/respondents/{person['id']}/answers").json()["answers"]
    assert {(a["criterion"], a["value"]) for a in answers} == {(mine, "yes"), (theirs, "no")}
    import io
    import zipfile

    exported = zipfile.ZipFile(io.BytesIO(c.assessor.get(f"/campaigns/{c.id}/answers.zip?format=answers").content))
    order = list(loaded.rubric.criterion_index())
    assert [a["criterion"] for a in json.loads(exported.read("answers/r-biz-01.json"))["answers"]] == sorted([mine, theirs], key=order.index)  # rubric order
    # the data engineer still cannot answer a business question through the API
    outside = next(q for q in routed(["business"]) if q not in c.data.criteria)
    refused = c.data.put(outside, "yes")
    assert refused.status_code == 403 and "not asked of your roles" in refused.json()["error"]
