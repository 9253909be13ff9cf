"""The FastAPI application: `create_app(database_url)`.

At start it brings the database to the current schema (Alembic), loads the bundled rubric and the
server secret (made once, kept in the database so CSRF tokens survive a restart). Every response
carries nosniff, no-referrer (invitation tokens sit in URLs), frame denial and no-store; pages
carry a CSP naming the hashes of our one style and one script.
"""

from __future__ import annotations

import secrets as _secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from mlops_audit.rubric.loader import default_rubric
from mlops_audit.server import migrate, web
from mlops_audit.server.campaigns import ClientError
from mlops_audit.server.dashboard import LiveCache
from mlops_audit.server.db import Assessor, Setting, make_engine, session_factory
from mlops_audit.server.security import LoginLimiter

MAX_BODY = 12 * 1024 * 1024


def _secret(sessions) -> str:  # noqa: ANN001
    with sessions.begin() as session:
        row = session.get(Setting, "secret")
        if row is None:
            row = Setting(key="secret", value=_secrets.token_hex(32))
            session.add(row)
        return row.value


def create_app(database_url: str, *, setup_code: str | None = None) -> FastAPI:
    """The application on a database URL (sqlite:///file.db or postgresql://...).

    `setup_code`: while no assessor exists, /setup?code=<setup_code> creates the first one.
    """
    from mlops_audit.server import routes_api, routes_assessor, routes_respondent

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    app = FastAPI(title="mlops-audit", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.secret = _secret(app.state.sessions)
    app.state.rubric = default_rubric()
    app.state.limiter = LoginLimiter(app.state.sessions)
    app.state.live_cache = LiveCache()
    app.state.setup_code = setup_code
    app.state.page_csp = web.page_csp()

    @app.middleware("http")
    async def _guard(request: Request, call_next):  # noqa: ANN001, ANN202
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return _headers(JSONResponse({"error": f"request body larger than {MAX_BODY // (1024 * 1024)} MiB"}, status_code=413))
        seed = request.cookies.get(web.CSRF_COOKIE)
        new_seed = None
        if not seed or len(seed) > 100:
            seed = new_seed = _secrets.token_urlsafe(32)
        request.state.csrf_seed = seed
        response = await call_next(request)
        if new_seed:
            response.set_cookie(web.CSRF_COOKIE, new_seed, httponly=True, samesite="strict", path="/")
        return _headers(response)

    @app.exception_handler(ClientError)
    async def _client_error(request: Request, exc: ClientError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        title = {401: "Sign in", 403: "Forbidden", 404: "Not found", 409: "Conflict", 410: "Gone", 413: "Too large", 415: "Not allowed", 429: "Too many attempts"}.get(exc.status, "Cannot do that")
        return web.page(request, "message.html.j2", title=title, status=exc.status, message=exc.message, lang=web.lang_of(request))

    @app.exception_handler(web.NeedLogin)
    async def _need_login(request: Request, exc: web.NeedLogin) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        return JSONResponse({"error": f"invalid request: {problems}"}, status_code=422)

    app.include_router(routes_assessor.router)
    app.include_router(routes_respondent.router)
    app.include_router(routes_api.router)
    return app


def _headers(response: Response) -> Response:
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cache-Control", "no-store")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
    return response


def assessor_count(app: FastAPI) -> int:
    with app.state.sessions.begin() as session:
        return len(session.scalars(select(Assessor.id)).all())


def add_assessor(app: FastAPI, username: str, password: str) -> None:
    """Create an assessor account (the CLI's --add-assessor and tests use this)."""
    from mlops_audit.server.routes_assessor import create_assessor

    with app.state.sessions.begin() as session:
        create_assessor(session, username, password)
