"""Security of the server, tried from the outside: who gets in, CSRF, tokens, cookies, headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from mlops_audit.server import security
from mlops_audit.server.db import Link, Session
from tests.server.conftest import PASSWORD, SETUP_CODE, csrf
from tests.server.helpers import make_campaign, page_csrf


def test_api_answers_401_without_a_signed_in_assessor(server):
    client = server.client()
    for path in ("/api/campaigns", "/api/campaigns/1", "/api/assessments/1", "/api/respondents/1/answers"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "error" in response.json()


def test_assessor_pages_send_strangers_to_sign_in(server):
    client = server.client()
    for path in ("/campaigns", "/campaigns/1", "/campaigns/1/history", "/campaigns/1/answers.zip", "/campaigns/1/inputs.zip", "/campaigns/1/log.zip", "/assessments/1/files/assessment.json"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login", path


def test_setup_needs_the_printed_code_and_works_once(server):
    client = server.client()
    assert client.get("/setup?code=wrong").status_code == 403
    token = csrf(client)
    assert client.post("/setup", data={"code": "wrong", "username": "root", "password": PASSWORD, "csrf_token": token}).status_code == 403
    assert client.get(f"/setup?code={SETUP_CODE}").status_code == 200
    made = client.post("/setup", data={"code": SETUP_CODE, "username": "root", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert made.status_code == 303
    assert client.get("/api/campaigns").status_code == 200  # signed in by the set-up
    assert server.client().get(f"/setup?code={SETUP_CODE}").status_code == 404  # only while nobody exists


def test_short_password_refused(server):
    client = server.client()
    response = client.post("/setup", data={"code": SETUP_CODE, "username": "root", "password": "short", "csrf_token": csrf(client)})
    assert response.status_code == 422 and "at least 10 characters" in response.text


def test_password_is_stored_as_argon2_hash(server):
    server.assessor("alice")
    with server.app.state.sessions.begin() as session:
        stored = session.execute(text("SELECT password_hash FROM assessors")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_session_cookie_is_httponly_strict_and_stored_hashed(server):
    server.assessor("alice")
    client = server.client()
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf(client)}, follow_redirects=False)
    header = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("mlops_audit_session="))
    assert "HttpOnly" in header and "SameSite=strict" in header
    token = header.split("=", 1)[1].split(";", 1)[0]
    with server.app.state.sessions.begin() as session:
        hashes = session.scalars(select(Session.token_sha256)).all()
    assert token not in hashes and security.token_hash(token) in hashes


def test_wrong_password_401_then_rate_limited_429(server):
    server.assessor("alice")
    client = server.client()
    token = csrf(client)
    for _ in range(5):
        assert client.post("/login", data={"username": "alice", "password": "not the password", "csrf_token": token}).status_code == 401
    limited = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_the_sign_in_limit_is_shared_by_server_processes_and_survives_a_restart(server):
    from mlops_audit.server.app import create_app
    from mlops_audit.server.db import LoginFailure
    from tests.server.conftest import Server

    server.assessor("alice")
    other = Server(create_app(server.url), server.url)  # a second process on the same database
    try:
        attempts = [server.client(), other.client(), server.client(), other.client(), server.client()]
        for client in attempts:
            wrong = client.post("/login", data={"username": "alice", "password": "not the password", "csrf_token": csrf(client)})
            assert wrong.status_code == 401
        for app in (server, other):
            client = app.client()
            refused = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf(client)})
            assert refused.status_code == 429, "five failures across two processes count together"
        restarted = Server(create_app(server.url), server.url)
        client = restarted.client()
        assert client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf(client)}).status_code == 429
        restarted.app.state.engine.dispose()
        with server.app.state.sessions.begin() as session:
            stored = session.scalars(select(LoginFailure.key_sha256)).all()
        assert stored and not any("alice" in key for key in stored)  # the names typed are not kept readable
    finally:
        other.app.state.engine.dispose()


def test_the_sign_in_window_passes_and_success_clears_the_name(server):
    moment = [datetime(2026, 12, 6, 12, 0, tzinfo=UTC)]
    limiter = security.LoginLimiter(server.app.state.sessions, max_failures=2, window=60, clock=lambda: moment[0])
    limiter.failed("user:bob", "ip:1")
    assert limiter.retry_after("user:bob", "ip:1") == 0
    limiter.failed("user:bob", "ip:1")
    assert limiter.retry_after("user:bob") == 61 and limiter.retry_after("ip:1") == 61
    moment[0] += timedelta(seconds=30)
    assert limiter.retry_after("user:bob") == 31
    moment[0] += timedelta(seconds=31)
    assert limiter.retry_after("user:bob", "ip:1") == 0  # the window has passed
    limiter.failed("user:carol")  # and the passed failures are pruned on the next write
    limiter.failed("user:bob")
    limiter.failed("user:bob")
    limiter.succeeded("user:bob")
    assert limiter.retry_after("user:bob") == 0


def test_unknown_user_fails_like_a_wrong_password(server):
    client = server.client()
    response = client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 401 and "wrong user name or password" in response.text


def test_logout_ends_the_session(server):
    client = server.assessor()
    assert client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False).status_code == 303
    assert client.get("/api/campaigns").status_code == 401


def test_unsafe_requests_need_the_csrf_token(server):
    client = server.assessor()
    # no token, a made-up token, and the token of another visitor's cookie
    other = csrf(server.client())
    for token in (None, "0" * 64, other):
        data = {"organisation": "X"} | ({"csrf_token": token} if token else {})
        assert client.post("/campaigns", data=data).status_code == 403
        headers = {"X-CSRF-Token": token} if token else {}
        assert client.post("/api/campaigns", json={"organisation": "X"}, headers=headers).status_code == 403
    assert client.post("/login", data={"username": "alice", "password": PASSWORD}).status_code == 403
    assert client.get("/api/campaigns").json() == {"campaigns": []}  # nothing was created


def test_invitation_tokens_stored_hashed_unknown_404_revoked_410_reissued(server):
    c = make_campaign(server)
    with server.app.state.sessions.begin() as session:
        hashes = session.scalars(select(Link.token_sha256)).all()
    assert c.data.token not in hashes
    stranger = server.client()
    assert stranger.get("/r/not-a-token").status_code == 404
    assert stranger.get("/r/" + c.data.token[:-1] + ("A" if c.data.token[-1] != "A" else "B")).status_code == 404  # tampered
    revoked = c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/revoke", data={"csrf_token": c.csrf}, follow_redirects=False)
    assert revoked.status_code == 303
    gone = stranger.get(f"/r/{c.data.token}")
    assert gone.status_code == 410 and "withdrawn" in gone.text
    assert c.data.put(c.data.yes_no[0], "yes").status_code == 410  # the page cookie dies with the link
    reissued = c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/link", data={"csrf_token": c.csrf})
    assert reissued.status_code == 200
    new_link = reissued.text.split('id="invitation-link">')[1].split("<")[0]
    assert new_link.startswith("http://127.0.0.1:8000/r/")
    assert stranger.get(new_link.replace("http://127.0.0.1:8000", "")).status_code == 200
    assert stranger.get(f"/r/{c.data.token}").status_code == 410


def test_expired_link_410(server):
    c = make_campaign(server)
    with server.app.state.sessions.begin() as session:
        session.execute(update(Link).values(expires_at=datetime.now(tz=UTC) - timedelta(minutes=1)))
    response = server.client().get(f"/r/{c.model.token}")
    assert response.status_code == 410 and "expired" in response.text


def test_a_token_reaches_only_its_own_answers(server):
    c = make_campaign(server)
    assert c.data.put(c.data.yes_no[0], "yes").status_code == 200
    # respondent "model" reads and writes respondent "data"'s answers: forbidden
    assert c.model.client.get(f"/api/respondents/{c.data.id}/answers").status_code == 403
    shared = sorted(set(c.data.yes_no) & set(c.model.yes_no))[0]
    forged = c.model.client.put(f"/api/respondents/{c.data.id}/answers/{shared}", json={"value": "no"}, headers={"X-CSRF-Token": c.model.csrf})
    assert forged.status_code == 403
    # by bearer token too
    bearer = server.client().get(f"/api/respondents/{c.data.id}/answers", headers={"Authorization": f"Bearer {c.model.token}"})
    assert bearer.status_code == 403
    assert c.data.client.get(f"/api/respondents/{c.data.id}/answers").json()["answers"][0]["value"] == "yes"
    # nor the campaign, the reports, the assessor pages
    assert c.model.client.get("/api/campaigns").status_code == 401
    assert c.model.client.get(f"/api/campaigns/{c.id}").status_code == 401
    assert c.model.client.get(f"/campaigns/{c.id}", follow_redirects=False).status_code == 303
    # another respondent's submission
    assert c.model.client.post(f"/api/respondents/{c.data.id}/submit", headers={"X-CSRF-Token": c.model.csrf}).status_code == 403


def test_security_headers_on_every_response(server):
    c = make_campaign(server)
    for response in (server.client().get("/login"), c.data.client.get(f"/r/{c.data.token}"), server.client().get("/api/campaigns"), server.client().get("/r/nothing")):
        h = response.headers
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["x-frame-options"] == "DENY"
        assert "default-src 'none'" in h["content-security-policy"]
    page_policy = c.data.client.get(f"/r/{c.data.token}").headers["content-security-policy"]
    assert "'unsafe-inline'" not in page_policy and "script-src 'sha256-" in page_policy


def test_respondent_cookie_is_httponly_strict_and_scoped_to_the_api(server):
    c = make_campaign(server)
    response = server.client().get(f"/r/{c.data.token}")
    header = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("mlops_audit_respondent="))
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/api/respondents" in header


def test_all_text_is_escaped(server):
    c = make_campaign(server, organisation="<script>alert(1)</script>")
    page = c.assessor.get(f"/campaigns/{c.id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    c.data.put(c.data.yes_no[0], "yes", comment="</textarea><script>alert(2)</script>")
    respond = c.data.client.get(f"/r/{c.data.token}")
    assert "<script>alert(2)" not in respond.text


def test_oversized_request_refused_413(server):
    client = server.assessor()
    response = client.post("/api/campaigns", content=b"x", headers={"Content-Length": str(64 * 1024 * 1024), "X-CSRF-Token": page_csrf(client.get("/login").text)})
    assert response.status_code == 413


def test_production_password_hashing_uses_argon2id_defaults(monkeypatch):
    monkeypatch.setattr(security, "ARGON2_PARAMETERS", {})
    stored = security.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not security.check_password(stored, PASSWORD + "x")


def test_every_route_refuses_a_stranger(server):
    """Each route of the application, asked by someone with no session, no link and no CSRF token:
    sent to sign in (pages), 401 (API), 403 (no CSRF token) or 404 (unknown link); never served."""
    client = server.client()
    seen = 0
    from mlops_audit.server import routes_api, routes_assessor, routes_respondent

    for route in [*routes_assessor.router.routes, *routes_respondent.router.routes, *routes_api.router.routes]:
        methods = sorted(getattr(route, "methods", None) or [])
        if not methods or route.path in ("/", "/login", "/setup"):
            continue
        path = route.path.replace("{token}", "not-a-link").replace("{name}", "assessment.json").replace("{action}", "reopen")
        path = re.sub(r"\{[a-z_]+\}", "1", path)
        for method in methods:
            if method == "HEAD":
                continue
            response = client.request(method, path, follow_redirects=False)
            allowed = {303, 401, 403, 404, 422} if method == "GET" else {401, 403, 404}
            assert response.status_code in allowed, (method, route.path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"] == "/login"
            seen += 1
    assert seen == 33  # the whole route table was walked (update when adding a route, and test it)


def test_home_sends_to_campaigns_and_unknown_actions_404(server):
    c = make_campaign(server)
    assert c.assessor.get("/", follow_redirects=False).headers["location"] == "/campaigns"
    assert c.assessor.post(f"/campaigns/{c.id}/respondents/{c.data.id}/explode", data={"csrf_token": c.csrf}).status_code == 404
    assert c.assessor.post(f"/campaigns/{c.id}/respondents/999/revoke", data={"csrf_token": c.csrf}).status_code == 404
