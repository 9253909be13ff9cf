"""The JSON API under /api/: what the pages' script and other clients use.

Assessors authenticate with their session cookie; respondents with their invitation token (page
cookie or `Authorization: Bearer`). Errors are `{"error": "..."}` with the HTTP status.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from mlops_audit.server import assessing, campaigns, dashboard, ledger, settings, web
from mlops_audit.server.db import Campaign

router = APIRouter(prefix="/api")

AnswerValue = bool | int | float | str | None


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation: str
    scope: str | None = None
    teams: list[str] = Field(default_factory=list)


class RespondentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    respondent: str
    roles: list[str]
    team: str | None = None
    lang: str = "zh"


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profiles: Annotated[list[str], Field(max_length=settings.MAX_PROFILES)] = Field(default_factory=list)
    accept_reference_runs: bool = False


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: AnswerValue = None
    comment: Annotated[str | None, Field(max_length=campaigns.MAX_COMMENT)] = None
    evidence: Annotated[list[str], Field(max_length=campaigns.MAX_EVIDENCE_ITEMS)] = Field(default_factory=list)
    base_version: int | None = None


def _campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "organisation": campaign.organisation,
        "scope": campaign.scope,
        "rubric": {"id": campaign.rubric_id, "version": campaign.rubric_version, "digest": campaign.rubric_digest},
        "teams": campaigns.teams_of(campaign),
    }


@router.get("/campaigns")
def list_campaigns(request: Request) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        from sqlalchemy import select

        return JSONResponse({"campaigns": [_campaign_json(c) for c in session.scalars(select(Campaign).order_by(Campaign.id))]})


@router.post("/campaigns")
def create_campaign(request: Request, body: CampaignIn, _form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        campaign = campaigns.create_campaign(session, request.app.state.rubric, organisation=body.organisation, scope=body.scope, teams=body.teams, created_by=user.username)
        return JSONResponse(_campaign_json(campaign), status_code=201)


@router.get("/campaigns/{campaign_id}")
def campaign(request: Request, campaign_id: int) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        c = campaigns.get_campaign(session, campaign_id)
        count, head = ledger.head(session, c.id)
        rubric = settings.rubric_of(request.app.state.rubric, c)
        return JSONResponse({**_campaign_json(c), **dashboard.summary(session, rubric, c, request.app.state.live_cache), "log": {"events": count, "head": head}})


def _settings_json(session, campaign: Campaign) -> dict[str, Any]:  # noqa: ANN001
    return {
        **settings.as_json(campaign, assessing.campaign_files(session, campaign, "trust_key")),
        "available_profiles": settings.available_profiles(),
        "reference_warning": settings.reference_warning("en"),
    }


@router.get("/campaigns/{campaign_id}/settings")
def get_settings(request: Request, campaign_id: int) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        return JSONResponse(_settings_json(session, campaigns.get_campaign(session, campaign_id)))


@router.put("/campaigns/{campaign_id}/settings")
def put_settings(request: Request, campaign_id: int, body: SettingsIn, _form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        c = campaigns.lock_campaign(session, campaign_id)
        settings.update(session, request.app.state.rubric, c, profiles=body.profiles, accept_reference_runs=body.accept_reference_runs, actor=f"assessor:{user.username}")
        return JSONResponse(_settings_json(session, c))


@router.post("/campaigns/{campaign_id}/files")
def attach_file(request: Request, campaign_id: int, form: FormData = Depends(web.checked_form)) -> Response:
    """Multipart `kind` and `file`, as the dashboard's form; the stored file (a key with its fingerprint)."""
    from mlops_audit.server.routes_assessor import store_campaign_file

    item = store_campaign_file(request, campaign_id, form)
    body = {"id": item.id, "kind": item.kind, "filename": item.filename, "sha256": item.sha256}
    if item.kind == "trust_key":
        body["fingerprint"] = settings.key_fingerprint(item.data)
    return JSONResponse(body, status_code=201)


@router.post("/campaigns/{campaign_id}/respondents")
def add_respondent(request: Request, campaign_id: int, body: RespondentIn, _form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        c = campaigns.get_campaign(session, campaign_id)
        r = campaigns.add_respondent(session, request.app.state.rubric, c, pseudonym=body.respondent, roles=body.roles, team=body.team, lang=body.lang)
        token = campaigns.issue_link(session, r)
        return JSONResponse({**campaigns.respondent_json(r), "token": token, "link": f"{str(request.base_url).rstrip('/')}/r/{token}"}, status_code=201)


@router.get("/respondents/{respondent_id}/answers")
def answers(request: Request, respondent_id: int) -> Response:
    with web.transaction(request) as session:
        respondent = _reachable(request, session, respondent_id)
        return JSONResponse({**campaigns.respondent_json(respondent), "answers": [campaigns.answer_json(a) for a in campaigns.answers_of(session, respondent)]})


def _reachable(request: Request, session, respondent_id: int, *, respondent_only: str | None = None):  # noqa: ANN001, ANN202
    """The respondent, if the caller may reach them: an assessor, or that respondent's own token.
    `respondent_only`: refuse assessors with this message (things only the respondent does)."""
    from mlops_audit.server.db import Respondent

    caller = web.api_caller(request, session)
    respondent = session.get(Respondent, respondent_id)
    if respondent is None:
        raise campaigns.ClientError(404, f"respondent {respondent_id} not found")
    web.may_see_respondent(caller, respondent)
    if respondent_only and caller.assessor is not None:
        raise campaigns.ClientError(403, respondent_only)
    return respondent


@router.put("/respondents/{respondent_id}/answers/{criterion}")
def save_answer(request: Request, respondent_id: int, criterion: str, body: AnswerIn, _form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        respondent = _reachable(request, session, respondent_id, respondent_only="assessors do not answer for respondents; import their answer file instead")
        rubric = settings.rubric_of(request.app.state.rubric, campaigns.get_campaign(session, respondent.campaign_id))
        row = campaigns.save_answer(
            session, rubric, respondent, criterion,
            campaigns.AnswerInput(value=body.value, comment=body.comment, evidence=body.evidence, base_version=body.base_version),
            actor=f"respondent:{respondent.pseudonym}",
        )
        return JSONResponse(campaigns.answer_json(row))


@router.post("/respondents/{respondent_id}/submit")
def submit(request: Request, respondent_id: int, _form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        respondent = _reachable(request, session, respondent_id, respondent_only="only the respondent submits their answers")
        campaigns.submit(session, respondent, actor=f"respondent:{respondent.pseudonym}")
        return JSONResponse(campaigns.respondent_json(respondent))


@router.post("/campaigns/{campaign_id}/assess")
def assess(request: Request, campaign_id: int, _form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        user = web.require_assessor(request, session)
        c = campaigns.lock_campaign(session, campaign_id)
        row = assessing.run(session, settings.rubric_of(request.app.state.rubric, c), c, assessor=user.username)
        used = json.loads(row.settings)
        return JSONResponse({
            "id": row.id, "overall_level": row.overall_level, "log": {"events": row.log_count, "head": row.log_head},
            "settings": used, "command": assessing.shell_command(used["arguments"], used["source_date_epoch"]),
        }, status_code=201)


@router.get("/assessments/{assessment_id}")
def assessment(request: Request, assessment_id: int) -> Response:
    with web.transaction(request) as session:
        web.require_assessor(request, session)
        row = assessing.get(session, assessment_id)
        return Response(row.data, media_type="application/json", headers={"X-Campaign-Log-Head": row.log_head, "X-Campaign-Log-Events": str(row.log_count)})
