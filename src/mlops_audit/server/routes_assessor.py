"""Assessor pages: sign-in, campaigns, the dashboard, files, assessments, history."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from starlette.datastructures import FormData, UploadFile

from mlops_audit.evidence.questionnaire.export import FORMATS as ANSWER_FORMATS
from mlops_audit.server import assessing, campaigns, dashboard, ledger, security, settings, uploads, web
from mlops_audit.server.campaigns import ClientError
from mlops_audit.server.db import Assessor, Attachment, Campaign, CampaignFile, Respondent, Session

router = APIRouter()
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")


def create_assessor(session: DbSession, username: str, password: str) -> Assessor:
    if not USERNAME.match(username or ""):
        raise ClientError(422, "user name: letters, digits and . _ @ - (at most 80)")
    if session.scalar(select(Assessor.id).where(Assessor.username == username)) is not None:
        raise ClientError(409, f"assessor '{username}' exists already")
    try:
        hashed = security.hash_password(password or "")
    except ValueError as exc:
        raise ClientError(422, str(exc)) from None
    assessor = Assessor(username=username, password_hash=hashed, created_at=campaigns.now())
    session.add(assessor)
    session.flush()
    return assessor


def _start_session(response: Response, session: DbSession, assessor: Assessor) -> None:
    token = security.new_token()
    session.add(Session(token_sha256=security.token_hash(token), assessor_id=assessor.id, expires_at=datetime.now(tz=UTC) + timedelta(hours=web.SESSION_HOURS)))
    response.set_cookie(web.SESSION_COOKIE, token, httponly=True, samesite="strict", path="/", max_age=web.SESSION_HOURS * 3600)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/campaigns", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    lang = web.lang_of(request)
    return web.page(request, "login.html.j2", title="Sign in" if lang == "en" else "登录", lang=lang, action="/login", button="Sign in" if lang == "en" else "登录", setup_code=None)


@router.post("/login")
def login(request: Request, form: FormData = Depends(web.checked_form)) -> Response:
    username, password = web.form_text(form, "username"), web.form_text(form, "password")
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"ip:{client}")
    wait = limiter.retry_after(*keys)
    if wait:
        response = web.page(request, "message.html.j2", title="Too many attempts", status=429, message=f"too many failed sign-ins; try again in {wait} s")
        response.headers["Retry-After"] = str(wait)
        return response
    with web.transaction(request) as session:
        assessor = session.scalar(select(Assessor).where(Assessor.username == username))
        ok = security.check_password(assessor.password_hash if assessor else None, password)
        if ok:
            response = RedirectResponse("/campaigns", status_code=303)
            _start_session(response, session, assessor)
    # the limiter writes in its own transaction, after the request's (SQLite has one writer at a time)
    if not ok:
        limiter.failed(*keys)
        return web.page(request, "login.html.j2", title="Sign in", status=401, action="/login", button="Sign in", setup_code=None, error="wrong user name or password")
    limiter.succeeded(keys[0])
    return response


@router.post("/logout")
def logout(request: Request, form: FormData = Depends(web.checked_form)) -> Response:
    token = request.cookies.get(web.SESSION_COOKIE)
    if token:
        with web.transaction(request) as session:
            row = session.scalar(select(Session).where(Session.token_sha256 == security.token_hash(token)))
            if row is not None:
                session.delete(row)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(web.SESSION_COOKIE, path="/")
    return response


def _setup_allowed(request: Request, code: str, session: DbSession) -> None:
    expected = request.app.state.setup_code
    if session.scalar(select(func.count(Assessor.id))):
        raise ClientError(404, "the server is set up already; sign in")
    if not expected or not code or not _same(code, expected):
        raise ClientError(403, "open the set-up address printed by 'mlops-audit serve' (it carries a one-time code)")


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


@router.get("/setup")
def setup_page(request: Request, code: str = "") -> Response:
    with web.transaction(request) as session:
        _setup_allowed(request, code, session)
    return web.page(request, "login.html.j2", title="Create the first assessor", action="/setup", button="Create", setup_code=code)


@router.post("/setup")
def setup(request: Request, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        _setup_allowed(request, web.form_text(form, "code"), session)
        assessor = create_assessor(session, web.form_text(form, "username"), web.form_text(form, "password"))
        response = RedirectResponse("/campaigns", status_code=303)
        _start_session(response, session, assessor)
        return response


@router.get("/campaigns")
def campaigns_page(request: Request) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        counts = dict(session.execute(select(Respondent.campaign_id, func.count(Respondent.id)).group_by(Respondent.campaign_id)).all())
        rows = [
            {"id": c.id, "organisation": c.organisation, "scope": c.scope, "rubric_version": c.rubric_version, "respondents": counts.get(c.id, 0)}
            for c in session.scalars(select(Campaign).order_by(Campaign.id.desc()))
        ]
        return web.page(request, "campaigns.html.j2", title="Campaigns", user=user.username, campaigns=rows, rubric=request.app.state.rubric.rubric)


@router.post("/campaigns")
def create_campaign(request: Request, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        teams = [t for t in re.split(r"[,，\n]", web.form_text(form, "teams"))]
        campaign = campaigns.create_campaign(
            session, request.app.state.rubric, organisation=web.form_text(form, "organisation"), scope=web.form_text(form, "scope"), teams=teams, created_by=user.username
        )
        return RedirectResponse(f"/campaigns/{campaign.id}", status_code=303)


def campaign_page(request: Request, session: DbSession, user: Assessor, campaign: Campaign, *, error: str | None = None, status: int = 200) -> Response:
    rubric = settings.rubric_of(request.app.state.rubric, campaign)
    data = dashboard.summary(session, rubric, campaign, request.app.state.live_cache)
    count, head = ledger.head(session, campaign.id)
    lang = web.lang_of(request)
    from mlops_audit.evidence.questionnaire.form import pick

    return web.page(
        request,
        "campaign.html.j2",
        title=campaign.organisation,
        lang=lang,
        status=status,
        error=error,
        user=user.username,
        campaign=campaign,
        teams=campaigns.teams_of(campaign),
        roles=[{"id": r.id, "name": pick(r.name, lang)} for r in rubric.rubric.roles],
        respondents=data["respondents"],
        groups=data["groups"],
        pending=data["pending"],
        contested=data["contested"],
        conflicts=data["conflicts"],
        conflicts_error=data["conflicts_error"],
        files=[f for kind in assessing.FILE_KINDS for f in assessing.campaign_files(session, campaign, kind)],
        settings=settings.as_json(campaign, assessing.campaign_files(session, campaign, "trust_key")),
        available_profiles=settings.available_profiles(),
        reference_warning=settings.reference_warning(lang),
        answer_formats=("answers", *ANSWER_FORMATS),
        assessments=[(row, _command(row)) for row in reversed(assessing.history_of_campaign(session, campaign.id))],
        report_files=["assessment.json", *assessing.REPORT_FILES],
        log_count=count,
        log_head=head,
    )


@router.get("/campaigns/{campaign_id}")
def campaign_view(request: Request, campaign_id: int) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        return campaign_page(request, session, user, campaigns.get_campaign(session, campaign_id))


def _link_page(request: Request, user: Assessor, campaign_id: int, token: str) -> Response:
    link = f"{str(request.base_url).rstrip('/')}/r/{token}"
    expires = (campaigns.now() + timedelta(days=campaigns.LINK_DAYS)).date().isoformat()
    return web.page(request, "link.html.j2", title="Invitation link", user=user.username, link=link, expires=expires, campaign_id=campaign_id)


@router.post("/campaigns/{campaign_id}/respondents")
def add_respondent(request: Request, campaign_id: int, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.get_campaign(session, campaign_id)
        roles = [r for r in form.getlist("roles") if isinstance(r, str)] if form else []
        respondent = campaigns.add_respondent(
            session, request.app.state.rubric, campaign, pseudonym=web.form_text(form, "pseudonym"), roles=roles,
            team=web.form_text(form, "team"), lang=web.form_text(form, "lang") or "zh",
        )
        token = campaigns.issue_link(session, respondent)
        return _link_page(request, user, campaign_id, token)


@router.post("/campaigns/{campaign_id}/respondents/{respondent_id}/{action}")
def respondent_action(request: Request, campaign_id: int, respondent_id: int, action: str, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        respondent = campaigns.get_respondent(session, campaign_id, respondent_id)
        if action == "link":
            return _link_page(request, user, campaign_id, campaigns.issue_link(session, respondent))
        if action == "revoke":
            campaigns.revoke_links(session, respondent)
        elif action == "reopen":
            campaigns.reopen(session, respondent, actor=f"assessor:{user.username}")
        else:
            raise ClientError(404, f"unknown action '{action}'; expected link, revoke or reopen")
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


def _upload(form: FormData | None, name: str) -> UploadFile:
    item = form.get(name) if form is not None else None
    if not isinstance(item, UploadFile):
        raise ClientError(422, f"{name}: choose a file to upload")
    return item


def _command(row) -> str | None:  # noqa: ANN001
    """The `mlops-audit assess` command that reproduces an assessment from its inputs (recorded since 0004)."""
    import json

    if not row.settings:
        return None
    used = json.loads(row.settings)
    return assessing.shell_command(used["arguments"], used["source_date_epoch"])


def store_campaign_file(request: Request, campaign_id: int, form: FormData | None) -> CampaignFile:
    """Check an attached file as the CLI reads it (its kind's loader, its size cap), then store it;
    anything wrong is a 4xx and nothing is stored. The dashboard's form and the JSON API share it."""
    with web.transaction(request) as session:  # who asks, before reading what they send
        web.require_assessor(request, session)
        campaigns.get_campaign(session, campaign_id)
    kind = web.form_text(form, "kind")
    if kind not in assessing.FILE_KINDS:
        raise ClientError(422, f"kind: expected one of {', '.join(assessing.FILE_KINDS)}")
    upload = _upload(form, "file")
    if kind == "trust_key":
        data = upload.file.read(assessing.MAX_KEY_FILE + 1)
        if len(data) > assessing.MAX_KEY_FILE:
            raise ClientError(413, f"{upload.filename or 'key'}: larger than {assessing.MAX_KEY_FILE // 1024} KiB; a PEM public key is a few lines")
        if not data:
            raise ClientError(422, f"{upload.filename or 'key'}: the file is empty")
    else:
        data = uploads.read_capped(upload.file, uploads.MAX_CAMPAIGN_FILE, upload.filename or "file")
    name = assessing.safe_filename(upload.filename or kind, kind)
    with tempfile.TemporaryDirectory(prefix="mlops-audit-check-") as tmp:  # checked now, not at assessment time
        path = Path(tmp) / name
        path.write_bytes(data)
        assessing.check_campaign_file(kind, path, upload.filename or name)
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        item = campaigns.add_campaign_file(session, campaign_id, kind=kind, filename=name, data=data, actor=f"assessor:{user.username}")
    return item


@router.post("/campaigns/{campaign_id}/files")
def attach_file(request: Request, campaign_id: int, form: FormData = Depends(web.checked_form)) -> Response:
    store_campaign_file(request, campaign_id, form)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/settings")
def update_settings(request: Request, campaign_id: int, form: FormData = Depends(web.checked_form)) -> Response:
    """Profiles (checkboxes) and whether the bundled reference pipeline's runs are credited."""
    profiles = [p for p in form.getlist("profiles") if isinstance(p, str)] if form else []
    accept = web.form_text(form, "accept_reference_runs") in ("1", "on", "true", "yes")
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.lock_campaign(session, campaign_id)
        settings.update(session, request.app.state.rubric, campaign, profiles=profiles, accept_reference_runs=accept, actor=f"assessor:{user.username}")
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/import")
def import_answers(request: Request, campaign_id: int, form: FormData = Depends(web.checked_form)) -> Response:
    files = [f for f in (form.getlist("files") if form else []) if isinstance(f, UploadFile)]
    if not files:
        raise ClientError(422, "files: choose one or more answer files")
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.get_campaign(session, campaign_id)
        rubric = settings.rubric_of(request.app.state.rubric, campaign)
        models = assessing.read_uploaded_answers([(f.filename or "answers", uploads.read_capped(f.file, uploads.MAX_CAMPAIGN_FILE, f.filename or "file")) for f in files], rubric)
        for model in models:
            campaigns.import_answer_file(session, rubric, campaign, model, actor=f"assessor:{user.username}")
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


def download(data: bytes, filename: str, content_type: str = "application/octet-stream") -> Response:
    return Response(
        data,
        media_type=content_type,
        headers={"Content-Disposition": uploads.content_disposition(filename), "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


@router.get("/campaigns/{campaign_id}/answers.zip")
def answers_zip(request: Request, campaign_id: int, format: str = "json", lang: str = "en") -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        campaign = campaigns.get_campaign(session, campaign_id)
        data = assessing.answers_zip(session, settings.rubric_of(request.app.state.rubric, campaign), campaign, format, lang if lang in ("zh", "en") else "en")
    return download(data, f"campaign-{campaign_id}-answers-{format}.zip", "application/zip")


@router.get("/campaigns/{campaign_id}/inputs.zip")
def inputs_zip(request: Request, campaign_id: int) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.get_campaign(session, campaign_id)
        data = assessing.inputs_zip(session, settings.rubric_of(request.app.state.rubric, campaign), campaign, assessor=user.username)
    return download(data, f"campaign-{campaign_id}-inputs.zip", "application/zip")


@router.get("/campaigns/{campaign_id}/log.zip")
def log_zip(request: Request, campaign_id: int) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        data = assessing.log_zip(session, campaigns.get_campaign(session, campaign_id))
    return download(data, f"campaign-{campaign_id}-log.zip", "application/zip")


@router.post("/campaigns/{campaign_id}/assess")
def assess(request: Request, campaign_id: int, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.lock_campaign(session, campaign_id)
        assessing.run(session, settings.rubric_of(request.app.state.rubric, campaign), campaign, assessor=user.username)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.get("/assessments/{assessment_id}/files/{name}")
def assessment_file(request: Request, assessment_id: int, name: str) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        row = assessing.get(session, assessment_id)
        data = assessing.rendered(session, row, name)
    if name.endswith(".html") and not request.query_params.get("download"):
        # View the report: our own escaped HTML, in a sandbox (no script, no same-origin access).
        return Response(data, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"})
    types = {".pdf": "application/pdf", ".json": "application/json", ".sarif": "application/json", ".xlsx": uploads.ZIP_SUFFIXES[".xlsx"], ".html": "text/html"}
    return download(data, name, types.get(Path(name).suffix, "application/octet-stream"))


@router.get("/campaigns/{campaign_id}/attachments/{attachment_id}")
def assessor_attachment(request: Request, campaign_id: int, attachment_id: int) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        item = session.get(Attachment, attachment_id)
        respondent = session.get(Respondent, item.respondent_id) if item else None
        if item is None or respondent is None or respondent.campaign_id != campaign_id:
            raise ClientError(404, f"attachment {attachment_id} not found in campaign {campaign_id}")
        return download(item.data, item.filename, item.content_type)


@router.get("/campaigns/{campaign_id}/history")
def history(request: Request, campaign_id: int) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.get_campaign(session, campaign_id)
        rows = assessing.history(session, campaign.organisation)
        lang = web.lang_of(request)
        versions = sorted({r.rubric_version for r in rows})
        return web.page(
            request, "history.html.j2", title=f"{campaign.organisation}: history", lang=lang, user=user.username, rows=rows,
            campaign_id=campaign_id, chart=assessing.trend_chart(rows, lang), versions=versions,
        )


@router.get("/campaigns/{campaign_id}/diff")
def diff(request: Request, campaign_id: int, old: int, new: int) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.get_campaign(session, campaign_id)
        old_row, new_row = assessing.get(session, old), assessing.get(session, new)
        if {old_row.organisation, new_row.organisation} != {campaign.organisation}:
            raise ClientError(422, "compare assessments of this campaign's organisation")
        text = assessing.diff_text(old_row, new_row)
        return web.page(request, "diff.html.j2", title=f"{campaign.organisation}: #{old} → #{new}", user=user.username, text=text, campaign_id=campaign_id)
