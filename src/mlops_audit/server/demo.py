"""`mlops-audit serve --demo`: the demo bank (`mlops_audit.demo.example_org`) as two finished
campaigns, last year's and this year's, each answered by the five personas, submitted, assessed.

Answers go through the same path as an assessor's import (checked, logged), so the demo's history,
diff, downloads and campaign logs are the real thing. The server keeps only answers routed to a
respondent's roles, so the personas' few answers outside their roles (the CLI demo keeps them) are
left out here.
"""

from __future__ import annotations

from datetime import timedelta

import yaml
from sqlalchemy import select

from mlops_audit.demo import example_org
from mlops_audit.evidence.model import WaiverFile
from mlops_audit.evidence.questionnaire.form import routed_to
from mlops_audit.server import assessing, campaigns
from mlops_audit.server.db import Campaign, CampaignFile
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import sha256_bytes

ACTOR = "assessor:demo"


def load_demo(sessions, rubric) -> list[int]:  # noqa: ANN001
    """Create the demo campaigns unless the database has them; their ids, last year's first."""
    name = example_org.ORGANISATION.name
    with sessions.begin() as session:
        existing = list(session.scalars(select(Campaign.id).where(Campaign.organisation == name).order_by(Campaign.id)))
    if existing:
        return existing
    index = rubric.rubric.criterion_index()
    ids = []
    for shift, scope_note, age in ((-1, "last year", timedelta(days=365)), (0, "this year", timedelta(0))):
        with sessions.begin() as session:
            campaign = campaigns.create_campaign(
                session, rubric, organisation=name, scope=f"{example_org.ORGANISATION.scope} ({scope_note})",
                teams=sorted({p.team for p in example_org.PERSONAS}), created_by="demo",
            )
            for _persona, model in example_org.answer_files(rubric, maturity_shift=shift):
                routed = [a for a in model.answers if routed_to(index[a.criterion][2], list(model.respondent.roles))]
                respondent = campaigns.import_answer_file(session, rubric, campaign, model.model_copy(update={"answers": routed}), actor=ACTOR)
                campaigns.submit(session, respondent, actor=ACTOR)
            if shift == 0:
                data = yaml.safe_dump(WaiverFile(waivers=example_org.waivers(rubric)).model_dump(mode="json"), allow_unicode=True, sort_keys=False).encode()
                session.add(CampaignFile(campaign_id=campaign.id, kind="waivers", filename="waivers.yaml", sha256=sha256_bytes(data), data=data, created_at=campaigns.now()))
                session.flush()
            assessing.run(session, rubric, campaign, assessor="demo", assessed_at=clock_now() - age)
            ids.append(campaign.id)
    return ids
