"""A campaign's assessment settings: what `mlops-audit assess` takes besides files.

- regulator profiles (`assess --profile NAME`, repeatable): the campaign is answered and scored with
  the rubric they combine (`rubric.profiles.with_profiles`), so respondents also see the profiles'
  questions and the assessment carries regulatory coverage;
- accepting the bundled reference pipeline's runs (`--accept-reference-run`), with the warning the
  report prints on its first page when it does;
- trusted public keys (`--trust-key PUB.pem`, repeatable) are attached files of kind `trust_key`,
  checked here with the CLI's loader (`evidence.trail.keys.load_public_key`).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlops_audit.errors import AuditError
from mlops_audit.evidence import answers_log
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.server import ledger
from mlops_audit.server.campaigns import ClientError
from mlops_audit.server.db import AnswerRow, Campaign, Respondent

MAX_PROFILES = 10
_RUBRICS: dict[tuple[str, tuple[str, ...]], LoadedRubric] = {}


def profiles_of(campaign: Campaign) -> list[str]:
    return list(json.loads(campaign.profiles or "[]"))


def available_profiles() -> list[dict[str, str]]:
    """The bundled profiles `mlops-audit rubric list` names: id, version, titles."""
    from mlops_audit.rubric.profiles import available_profiles as names
    from mlops_audit.rubric.profiles import bundled_profile

    found = []
    for name in names():
        profile = bundled_profile(name)
        found.append({"id": name, "version": profile.meta.version, "en": profile.meta.title.en, "zh": profile.meta.title.zh})
    return found


def rubric_of(base: LoadedRubric, campaign: Campaign) -> LoadedRubric:
    """The rubric a campaign is answered and assessed with: the server's, with the campaign's
    profiles combined in (what `assess --profile` reads). Built once per combination."""
    return combined(base, tuple(profiles_of(campaign)))


def combined(base: LoadedRubric, names: tuple[str, ...]) -> LoadedRubric:
    from mlops_audit.rubric.profiles import with_profiles

    if not names:
        return base
    key = (base.digest, names)
    if key not in _RUBRICS:
        try:
            _RUBRICS[key] = with_profiles(base, list(names))
        except AuditError as exc:
            raise ClientError(422, f"profiles {', '.join(names)}: {exc.message}") from None
    return _RUBRICS[key]


def reference_warning(lang: str = "en") -> str:
    """The caveat an assessment prints on page 1 when it credits a reference pipeline run (the
    scoring's own text, for runs named 'the reference pipeline's runs')."""
    from mlops_audit.result.model import RunRecord
    from mlops_audit.scoring.caveats import run_caveats

    names = "the reference pipeline's runs" if lang == "en" else "参考流水线的运行"
    run = RunRecord(name=names, run_id=None, ok=True, problems=[], event_count=0, head_hash=None, merkle_root=None,
                    signature="absent", clauses_executed=[], reference=True, credited=True, status="credited")
    caveat = next(c for c in run_caveats([run]) if c.kind == "run_reference" and c.severity == "warning")
    return caveat.message.en if lang == "en" else caveat.message.zh


def as_json(campaign: Campaign, keys: list) -> dict:  # noqa: ANN001
    return {
        "profiles": profiles_of(campaign),
        "accept_reference_runs": bool(campaign.accept_reference_runs),
        "trust_keys": [{"id": k.id, "filename": k.filename, "sha256": k.sha256, "fingerprint": key_fingerprint(k.data)} for k in keys],
    }


def update(session: Session, base: LoadedRubric, campaign: Campaign, *, profiles: list[str], accept_reference_runs: bool, actor: str) -> None:
    """Set the campaign's profiles and reference-run acceptance. An unknown profile is 422; dropping
    a profile whose questions someone has answered is 409 (their answers would name criteria the
    campaign's rubric no longer has); nothing is changed then. A change is appended to the campaign's
    hash-chained log (who, from what, to what); the caller holds the campaign's write lock."""
    from mlops_audit.rubric.profiles import available_profiles as names

    before = {"profiles": profiles_of(campaign), "accept_reference_runs": bool(campaign.accept_reference_runs)}

    known = names()
    chosen = list(dict.fromkeys(p.strip() for p in profiles if isinstance(p, str) and p.strip()))
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise ClientError(422, f"profiles: unknown profile {', '.join(repr(p) for p in unknown)}; expected some of {', '.join(known)} ('mlops-audit rubric list')")
    if len(chosen) > MAX_PROFILES:
        raise ClientError(422, f"profiles: at most {MAX_PROFILES}")
    if chosen != profiles_of(campaign):
        kept = set(combined(base, tuple(chosen)).rubric.criterion_index())
        answered = session.scalars(
            select(AnswerRow.criterion).join(Respondent, Respondent.id == AnswerRow.respondent_id).where(Respondent.campaign_id == campaign.id).distinct()
        )
        lost = sorted(c for c in answered if c not in kept)
        if lost:
            raise ClientError(
                409,
                f"profiles: {len(lost)} answered question(s) belong to a profile you are removing ({', '.join(lost[:5])}"
                f"{', ...' if len(lost) > 5 else ''}); export the answers first, or keep the profile",
            )
        campaign.profiles = json.dumps(chosen)
    campaign.accept_reference_runs = bool(accept_reference_runs)
    after = {"profiles": profiles_of(campaign), "accept_reference_runs": bool(campaign.accept_reference_runs)}
    changes = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if changes:
        ledger.append(session, campaign.id, action=answers_log.SETTINGS_CHANGED, actor=actor, role="assessor", params={"changes": changes})
    session.flush()


def key_fingerprint(data: bytes) -> str:
    """The key id a signed manifest names (SHA-256 of the raw public key), for a checked key file."""
    from mlops_audit.evidence.trail.keys import key_id, load_public_key

    with tempfile.TemporaryDirectory(prefix="mlops-audit-key-") as tmp:
        path = Path(tmp) / "key.pem"
        path.write_bytes(data)
        return key_id(load_public_key(path))


def check_trust_key(data: bytes, shown: str) -> str:
    """An uploaded trusted key: an Ed25519 public key in PEM form, read by the CLI's loader (as
    `assess --trust-key` reads it). A private key is refused: it must never leave the signer."""
    if b"PRIVATE KEY" in data:
        raise ClientError(422, f"{shown}: this is a private key; upload only the public key (the .pub file 'mlops-audit keygen' writes); keep the private key with the signer")
    try:
        return key_fingerprint(data)
    except AuditError as exc:
        message = exc.message.split(": ", 1)[-1]
        raise ClientError(422, f"{shown}: not an Ed25519 public key in PEM form ({message})") from None
