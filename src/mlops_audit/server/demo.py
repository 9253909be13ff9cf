"""`mlops-audit serve --demo`: the demo bank (`mlops_audit.demo.example_org`) as two finished
campaigns, last year's and this year's, each answered by the five personas, submitted, assessed.

This year's campaign carries the evidence `mlops-audit demo` assesses with, as an assessor would
attach it: the repository evidence collected from the reference pipeline's own source tree (the
personas answer knowing what it shows), the waivers, the reviewed documents (a zipped folder with
reviewed.yaml) and the assessor's decisions on the first conflicts (`decide_conflicts` on the
conflicts the dashboard shows). Last year's holds answers only, as the CLI demo's previous year.

Answers go through the same path as an assessor's import (checked, logged), so the demo's history,
diff, downloads and campaign logs are the real thing. Not carried over from `mlops-audit demo`:
the reference pipeline's signed run (the server does not credit runs of the bundled reference
pipeline, which `assess --accept-reference-run` does for the CLI demo, nor take trusted keys), the
cn-finance regulator profile, and the personas' few answers outside their roles (the server keeps
only routed answers). So the two demos' assessments differ by what those add.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from mlops_audit.demo import example_org
from mlops_audit.evidence.model import WaiverFile
from mlops_audit.evidence.questionnaire.form import routed_to
from mlops_audit.server import assessing, campaigns
from mlops_audit.server.db import Campaign, CampaignFile
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import pretty_json, sha256_bytes

ACTOR = "assessor:demo"


def _attach(session, campaign: Campaign, kind: str, filename: str, data: bytes) -> None:  # noqa: ANN001
    session.add(CampaignFile(campaign_id=campaign.id, kind=kind, filename=filename, sha256=sha256_bytes(data), data=data, created_at=campaigns.now()))
    session.flush()


def _yaml(data: object) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def demo_evidence(rubric):  # noqa: ANN001, ANN201
    """The collect JSON of the reference pipeline's source (as `mlops-audit demo` collects it) and
    the criteria it shows met."""
    import reference_pipeline

    from mlops_audit.demo.run import _evidenced_criteria
    from mlops_audit.evidence.repo.collect import collect

    collection = collect(Path(reference_pipeline.__file__).resolve().parent, rubric=rubric, now=clock_now())
    return pretty_json(collection.model_dump(mode="json")).encode("utf-8"), _evidenced_criteria(rubric, collection, [])


def documents_zip(rubric) -> bytes | None:  # noqa: ANN001
    """The demo's reviewed documents and reviewed.yaml, zipped as their folder."""
    from mlops_audit.demo.run import _write_documents

    with tempfile.TemporaryDirectory(prefix="mlops-audit-demo-") as tmp:
        reviewed = _write_documents(rubric, Path(tmp))
        if reviewed is None:
            return None
        folder = reviewed.parent
        return assessing.zip_bytes({f"documents/{p.relative_to(folder).as_posix()}": p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})


def load_demo(sessions, rubric) -> list[int]:  # noqa: ANN001
    """Create the demo campaigns unless the database has them; their ids, last year's first."""
    name = example_org.ORGANISATION.name
    with sessions.begin() as session:
        existing = list(session.scalars(select(Campaign.id).where(Campaign.organisation == name).order_by(Campaign.id)))
    if existing:
        return existing
    index = rubric.rubric.criterion_index()
    evidence_json, evidenced = demo_evidence(rubric)
    ids = []
    for shift, scope_note, age in ((-1, "last year", timedelta(days=365)), (0, "this year", timedelta(0))):
        this_year = shift == 0
        with sessions.begin() as session:
            campaign = campaigns.create_campaign(
                session, rubric, organisation=name, scope=f"{example_org.ORGANISATION.scope} ({scope_note})",
                teams=sorted({p.team for p in example_org.PERSONAS}), created_by="demo",
            )
            known = evidenced if this_year else frozenset()
            for _persona, model in example_org.answer_files(rubric, maturity_shift=shift, evidenced=known):
                routed = [a for a in model.answers if routed_to(index[a.criterion][2], list(model.respondent.roles))]
                respondent = campaigns.import_answer_file(session, rubric, campaign, model.model_copy(update={"answers": routed}), actor=ACTOR)
                campaigns.submit(session, respondent, actor=ACTOR)
            if this_year:
                _attach(session, campaign, "evidence", "evidence.json", evidence_json)
                _attach(session, campaign, "waivers", "waivers.yaml", _yaml(WaiverFile(waivers=example_org.waivers(rubric, evidenced)).model_dump(mode="json")))
                documents = documents_zip(rubric)
                if documents is not None:
                    _attach(session, campaign, "documents", "documents.zip", documents)
                # the assessor decides the first conflicts, as `mlops-audit demo` does
                first = assessing.live_assessment(session, rubric, campaign)
                decisions = example_org.decide_conflicts(first.conflicts if first else [])
                _attach(session, campaign, "resolutions", "decisions.yaml", _yaml({"format": "mlops-audit/resolutions@1", "resolutions": decisions}))
            assessing.run(session, rubric, campaign, assessor="demo", assessed_at=clock_now() - age)
            ids.append(campaign.id)
    return ids
