"""What every route shares: the database transaction, who is asking, CSRF, page rendering.

Who is asking:
- an assessor: the `mlops_audit_session` cookie (HttpOnly, SameSite=Strict), a random token whose
  SHA-256 is in `sessions`;
- a respondent: their invitation token, in the `/r/<token>` path, in the `mlops_audit_respondent`
  cookie the page sets for its script (HttpOnly, SameSite=Strict, path /api/respondents), or as
  `Authorization: Bearer <token>` for API clients.
Unsafe requests authenticated by a cookie must carry the CSRF token (form field `csrf_token` or
header `X-CSRF-Token`); bearer requests need none (browsers never add that header by themselves).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from starlette.datastructures import FormData

from mlops_audit.server import security
from mlops_audit.server.campaigns import ClientError, resolve_token
from mlops_audit.server.db import Assessor, Respondent, Session
from mlops_audit.util import templates

SESSION_COOKIE = "mlops_audit_session"
RESPONDENT_COOKIE = "mlops_audit_respondent"
CSRF_COOKIE = "mlops_audit_csrf"
SESSION_HOURS = 12
MAX_FORM_FIELDS = 4000


class NeedLogin(Exception):
    """A page for assessors requested without a session: the browser is sent to /login."""


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page_csp() -> str:
    css, js = templates.inline_static("server.css"), templates.inline_static("server.js")
    return (
        "default-src 'none'; "
        f"style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
        "connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


@contextmanager
def transaction(request: Request) -> Iterator[DbSession]:
    """One database transaction: committed when the block ends, rolled back on any error."""
    with request.app.state.sessions.begin() as session:
        yield session


def secret(request: Request) -> str:
    return request.app.state.secret


def csrf_for(request: Request) -> str:
    return security.csrf_token(secret(request), request.state.csrf_seed)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


async def checked_form(request: Request) -> FormData | None:
    """Dependency of every unsafe route: the parsed form (if any), after the CSRF check."""
    form = None
    presented = request.headers.get("x-csrf-token")
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form(max_files=20, max_fields=MAX_FORM_FIELDS)
        if presented is None:
            value = form.get("csrf_token")
            presented = value if isinstance(value, str) else None
    if bearer_token(request) is None and not security.csrf_ok(secret(request), request.cookies.get(CSRF_COOKIE), presented):
        raise ClientError(403, "missing or wrong CSRF token: reload the page and try again")
    return form


def form_text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def assessor_of(request: Request, session: DbSession) -> Assessor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(Session).where(Session.token_sha256 == security.token_hash(token)))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(tz=UTC):
        session.delete(row)
        return None
    return session.get(Assessor, row.assessor_id)


def require_assessor(request: Request, session: DbSession) -> Assessor:
    assessor = assessor_of(request, session)
    if assessor is None:
        if request.url.path.startswith("/api/"):
            raise ClientError(401, "sign in as an assessor first")
        raise NeedLogin()
    return assessor


@dataclass
class Caller:
    assessor: Assessor | None
    respondent: Respondent | None


def api_caller(request: Request, session: DbSession) -> Caller:
    """An assessor, or a respondent by bearer token or page cookie; 401 when neither."""
    assessor = assessor_of(request, session)
    if assessor is not None:
        return Caller(assessor, None)
    token = bearer_token(request) or request.cookies.get(RESPONDENT_COOKIE)
    if not token:
        raise ClientError(401, "sign in as an assessor, or open your invitation link")
    return Caller(None, resolve_token(session, token))


def may_see_respondent(caller: Caller, respondent: Respondent) -> None:
    """Assessors see every respondent; a respondent only themselves (403 otherwise)."""
    if caller.assessor is not None:
        return
    assert caller.respondent is not None
    if caller.respondent.id != respondent.id:
        raise ClientError(403, "an invitation link reaches only its own respondent's answers")


def lang_of(request: Request, default: str = "en") -> str:
    wanted = request.query_params.get("lang")
    if wanted in ("zh", "en"):
        return wanted
    accept = request.headers.get("accept-language", "")
    if accept[:2].lower() == "zh":
        return "zh"
    return default


def page(request: Request, template: str, *, title: str, lang: str = "en", status: int = 200, user: str | None = None, **context: Any) -> HTMLResponse:
    html = templates.environment().get_template(f"server/{template}").render(
        title=title,
        html_lang="zh-CN" if lang == "zh" else "en",
        css=templates.inline_static("server.css"),
        js=templates.inline_static("server.js"),
        csrf=csrf_for(request),
        user=user,
        error=context.pop("error", None),
        tr=(lambda en, zh: zh) if lang == "zh" else (lambda en, zh: en),  # not `t`: the report templates own t("key")
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = request.app.state.page_csp
    return response
