"""`mlops-audit serve --demo`: the demo bank (`mlops_audit.demo.example_org`) as two finished
campaigns, last year's and this year's, each answered by the five personas, submitted, assessed.

This year's campaign is assessed with everything `mlops-audit demo` assesses with, as an assessor
would set it up: the reference pipeline's run, signed with a key generated here (`demo.run.
reference_run`, the CLI demo's step 1) and attached zipped, its public key as a trusted key, the
reference run accepted (the report says so on page 1, as the CLI demo's does), the cn-finance
regulator profile, the repository evidence collected from the reference pipeline's own source
tree (the personas answer knowing what it and the run show), the waivers, the reviewed documents
(a zipped folder with reviewed.yaml) and the assessor's decisions on the first conflicts
(`decide_conflicts` on the conflicts the dashboard shows). Last year's holds answers only, with
the profile, as the CLI demo's previous year.

Answers go through the same path as an assessor's import (checked, logged; answers outside a
persona's roles are kept, as the CLI keeps them), so the demo's history, diff, downloads and
campaign logs are the real thing, and this year's assessment has the CLI demo's levels, regulatory
coverage and verified run evidence (tested; what legitimately differs is in docs/serve.md).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from mlops_audit.demo import example_org
from mlops_audit.evidence.model import WaiverFile
from mlops_audit.server import assessing, campaigns, settings
from mlops_audit.server.db import Campaign
from mlops_audit.util.clock import now as clock_now
from mlops_audit.util.jsonio import pretty_json

ACTOR = "assessor:demo"
ASSESSOR = "mlops-audit demo"  # as the CLI demo's assessment names its assessor


def _attach(session, campaign: Campaign, kind: str, filename: str, data: bytes) -> None:  # noqa: ANN001
    campaigns.add_campaign_file(session, campaign.id, kind=kind, filename=filename, data=data, actor=ACTOR)


def _yaml(data: object) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@dataclass
class DemoEvidence:
    collect_json: bytes  # the collect JSON of the reference pipeline's source
    run_zip: bytes  # the reference pipeline's signed run folder, zipped
    public_key: bytes  # the PEM public key that signed it
    evidenced: frozenset[str]  # criteria the repository and the run show met


def demo_evidence(rubric, at) -> DemoEvidence:  # noqa: ANN001
    """What `mlops-audit demo` assesses with besides answers, made the same way: the reference
    pipeline's run signed with a fresh key, the collect JSON of its source, the criteria they show."""
    import reference_pipeline

    from mlops_audit.demo.run import evidenced_criteria, reference_run
    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.evidence.trail.keys import generate_signing_key, public_key_pem
    from mlops_audit.workflow import verify_trails

    key = generate_signing_key()
    with tempfile.TemporaryDirectory(prefix="mlops-audit-demo-run-") as tmp:
        run_dir = Path(tmp) / "run"
        reference_run(run_dir, at=at, signing_key=key)
        trails = verify_trails(run_dir)
        run_zip = assessing.zip_bytes({f"run/{p.relative_to(run_dir).as_posix()}": p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()})
    collection = collect(Path(reference_pipeline.__file__).resolve().parent, rubric=rubric, now=at)
    return DemoEvidence(
        collect_json=pretty_json(collection.model_dump(mode="json")).encode("utf-8"),
        run_zip=run_zip,
        public_key=public_key_pem(key),
        evidenced=evidenced_criteria(rubric, collection, trails),
    )


def documents_zip(rubric) -> bytes | None:  # noqa: ANN001
    """The demo's reviewed documents and reviewed.yaml, zipped as their folder."""
    from mlops_audit.demo.run import write_documents

    with tempfile.TemporaryDirectory(prefix="mlops-audit-demo-") as tmp:
        reviewed = write_documents(rubric, Path(tmp))
        if reviewed is None:
            return None
        folder = reviewed.parent
        return assessing.zip_bytes({f"documents/{p.relative_to(folder).as_posix()}": p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})


def load_demo(sessions, rubric) -> list[int]:  # noqa: ANN001
    """Create the demo campaigns unless the database has them; their ids, last year's first.
    `rubric` is the server's; the campaigns add the CLI demo's profiles to it."""
    from mlops_audit.demo.run import DEMO_PROFILES

    name = example_org.ORGANISATION.name
    with sessions.begin() as session:
        existing = list(session.scalars(select(Campaign.id).where(Campaign.organisation == name).order_by(Campaign.id)))
    if existing:
        return existing
    at = clock_now()
    loaded = settings.combined(rubric, tuple(DEMO_PROFILES))  # what the CLI demo answers and assesses with
    evidence = demo_evidence(loaded, at)
    ids = []
    for shift, scope, age in ((-1, f"{example_org.ORGANISATION.scope} (last year)", timedelta(days=365)), (0, example_org.ORGANISATION.scope, timedelta(0))):
        this_year = shift == 0
        with sessions.begin() as session:
            campaign = campaigns.create_campaign(
                session, rubric, organisation=name, scope=scope,
                teams=sorted({p.team for p in example_org.PERSONAS}), created_by="demo",
            )
            settings.update(session, rubric, campaign, profiles=list(DEMO_PROFILES), accept_reference_runs=this_year, actor=ACTOR)
            known = evidence.evidenced if this_year else frozenset()
            for _persona, model in example_org.answer_files(loaded, maturity_shift=shift, evidenced=known):
                respondent = campaigns.import_answer_file(session, loaded, campaign, model, actor=ACTOR)
                campaigns.submit(session, respondent, actor=ACTOR)
            if this_year:
                _attach(session, campaign, "run", "run.zip", evidence.run_zip)
                _attach(session, campaign, "trust_key", "demo-signing-key.pem.pub", evidence.public_key)
                _attach(session, campaign, "evidence", "evidence.json", evidence.collect_json)
                _attach(session, campaign, "waivers", "waivers.yaml", _yaml(WaiverFile(waivers=example_org.waivers(loaded, evidence.evidenced)).model_dump(mode="json")))
                documents = documents_zip(loaded)
                if documents is not None:
                    _attach(session, campaign, "documents", "documents.zip", documents)
                # the assessor decides the first conflicts, as `mlops-audit demo` does
                first = assessing.live_assessment(session, loaded, campaign)
                decisions = example_org.decide_conflicts(first.conflicts if first else [])
                _attach(session, campaign, "resolutions", "decisions.yaml", _yaml({"format": "mlops-audit/resolutions@1", "resolutions": decisions}))
            assessing.run(session, loaded, campaign, assessor=ASSESSOR, assessed_at=at - age)
            ids.append(campaign.id)
    return ids
