"""A fictional bank's retail-credit AI team answering the questionnaire, for `mlops-audit demo`.

Nothing here is real data. The team has a profile of true maturity per practice — strong where
banks invest (data controls, independent model validation), weak where most teams are (retraining,
progressive delivery, the MLOps engineer function) — and five respondents who see it through
their roles and temperaments: some are optimistic, one is strict, some don't know. Answers are
drawn with a seeded random generator, so the same seed gives the same files byte for byte.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RosterEntry, RubricRef
from mlops_audit.evidence.model import Waiver
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Criterion, Outcome, QuestionType

ORGANISATION = Organisation(
    name="示例城市商业银行 零售信贷 AI 团队 / Example City Commercial Bank, Retail Credit AI Team",
    scope="零售信贷审批与贷后模型 / retail credit approval and monitoring models",
)

# True level per domain, with per-practice overrides by practice-id prefix or id.
DOMAIN_LEVEL = {
    "requirements": 2,
    "data_engineering": 3,
    "model_development": 2,
    "model_delivery": 2,
    "model_operations": 1,
    "organisation": 2,
    # Regulator profile cn-finance (assessed beside the rubric): a bank meets the basics its
    # supervisors already ask about.
    "cn_finance": 2,
}
# Practices where the bank differs from its domain's level (unknown ids fall back to the domain).
PRACTICE_LEVEL = {
    "REQ.feasibility_risk": 3,  # credit risk culture: feasibility and risk reviews are routine
    "REQ.pipeline_trigger": 1,
    "DE.exploration_quality": 3,
    "DE.versioning_lineage": 3,
    "DE.feature_store": 2,
    "DE.data_sharing": 2,
    "MD.experiment_tracking": 3,
    "MD.validation_stopping": 3,
    "DL.ci_pipeline": 3,
    "DL.security_scanning": 2,
    "DL.traffic": 1,  # no canary yet: releases are all-at-once
    "DL.online_evaluation": 1,
    "OP.model_registry": 2,
    "OP.metric_collection": 2,
    "OP.alerting": 2,
    "ORG.mlops_engineer": 1,  # part-time, shared with modelling
    "ORG.mra_design": 3,
    "ORG.mra_process": 3,
    "ORG.mra_outcome": 4,  # validation of outcomes is the bank's strongest control
}


@dataclass(frozen=True)
class Persona:
    id: str
    roles: tuple[str, ...]
    team: str
    optimism: int  # levels above the truth they believe in (negative: stricter than the truth)
    noise: float  # chance of a random slip
    unknown: float  # chance of "don't know"
    fmt: str  # the format the assessor received their answers in


PERSONAS = (
    Persona("r-de-01", ("data_engineer",), "数据平台组 / data platform", 0, 0.05, 0.03, "xlsx"),
    Persona("r-ds-01", ("data_scientist",), "建模组 / modelling", 1, 0.08, 0.05, "yaml"),
    Persona("r-ops-01", ("ops_engineer", "mlops_engineer"), "运维组 / operations", 0, 0.06, 0.08, "yaml"),
    Persona("r-mra-01", ("model_risk_analyst",), "风险管理部 / risk management", -1, 0.04, 0.02, "json"),
    Persona("r-pm-01", ("project_manager", "business", "ml_architect"), "零售信贷部 / retail credit", 1, 0.10, 0.10, "yaml"),
)

ROSTER = (
    RosterEntry(person="p-01", roles=["business"], team="retail credit"),
    RosterEntry(person="p-02", roles=["project_manager"], team="retail credit"),
    RosterEntry(person="p-03", roles=["ml_architect"], team="data platform"),
    RosterEntry(person="p-04", roles=["data_engineer"], team="data platform"),
    RosterEntry(person="p-05", roles=["data_engineer"], team="data platform"),
    RosterEntry(person="p-06", roles=["data_scientist"], team="modelling"),
    RosterEntry(person="p-07", roles=["data_scientist", "mlops_engineer"], dedicated=False, team="modelling"),
    RosterEntry(person="p-08", roles=["software_engineer"], team="channels"),
    RosterEntry(person="p-09", roles=["ops_engineer", "data_scientist"], dedicated=False, team="operations"),
    RosterEntry(person="p-10", roles=["model_risk_analyst"], team="risk management"),
)
# No test engineer on the roster: a real gap that role coverage must show.


def true_level(domain_id: str, practice_id: str) -> int:
    return PRACTICE_LEVEL.get(practice_id, DOMAIN_LEVEL.get(domain_id, 1))


def value_for(criterion: Criterion, outcome: Outcome) -> object:
    q = criterion.question
    if q.type is QuestionType.yes_no:
        return {Outcome.met: "yes", Outcome.partial: "partial"}.get(outcome, "no")
    if q.type is QuestionType.scale:
        if outcome is Outcome.met:
            return q.scale_max
        if outcome is Outcome.partial and q.partial_at is not None:
            return int(q.partial_at)
        return q.scale_min
    if q.type is QuestionType.choice:
        wanted = outcome.value if outcome in (Outcome.met, Outcome.partial) else "unmet"
        choices = [c for c in q.choices or [] if c.outcome == wanted] or [c for c in q.choices or [] if c.outcome == "unmet"]
        return choices[0].value
    assert q.met_at is not None
    higher = q.direction == "higher_is_better"
    if outcome is Outcome.met:
        return q.met_at
    if outcome is Outcome.partial and q.partial_at is not None:
        return q.partial_at
    worse = (q.partial_at if q.partial_at is not None else q.met_at)
    return round(worse * 0.5, 2) if higher else round(worse * 2 + 1, 2)


def _believed(persona: Persona, level: int, criterion: Criterion, rng: random.Random, evidenced: bool) -> Outcome | None:
    # People know whether the basics happen; doubt and slips grow with the level asked about.
    if criterion.level >= 3 and rng.random() < persona.unknown:
        return None
    # Where the pilot pipeline demonstrably does it, most respondents know; the stricter ones judge
    # the whole team and sometimes say no: those answers become recorded conflicts.
    if evidenced and rng.random() < (0.6 if persona.optimism < 0 else 0.9):
        return Outcome.met
    believed_level = level + persona.optimism
    if criterion.level <= believed_level:
        outcome = Outcome.met
    elif criterion.level == believed_level + 1 and rng.random() < 0.35:
        outcome = Outcome.partial
    else:
        outcome = Outcome.unmet
    if criterion.level >= 2 and rng.random() < persona.noise * (criterion.level - 1) / 2:
        outcome = rng.choice([Outcome.met, Outcome.partial, Outcome.unmet])
    return outcome


_PANEL_ROLES = frozenset(role for persona in PERSONAS for role in persona.roles)


def answer_files(
    loaded: LoadedRubric, *, seed: int = 2023, maturity_shift: int = 0, evidenced: frozenset[str] = frozenset()
) -> list[tuple[Persona, AnswerFile]]:
    """One answer file per persona. `maturity_shift` lowers the truth (e.g. -1 for last year);
    `evidenced` names the criteria the team's pilot pipeline and repository demonstrably meet."""
    rubric = loaded.rubric
    files = []
    for persona in PERSONAS:
        answers = []
        for domain, practice, criterion in rubric.criteria():
            routed = set(persona.roles) & set(criterion.question.roles)
            # One generator per (persona, criterion): an answer does not shift when others change.
            rng = random.Random(f"{seed}:{persona.id}:{criterion.id}")
            # People mostly answer what they are asked. The project manager also answers the basics
            # nobody else on the panel is asked (there is no test engineer), and some others'.
            orphan = not set(criterion.question.roles) & _PANEL_ROLES
            pm_extra = persona.id == "r-pm-01" and criterion.level <= 2 and (orphan or rng.random() < 0.3)
            if not routed and not pm_extra:
                continue
            level = max(0, true_level(domain.id, practice.id) + maturity_shift)
            outcome = _believed(persona, level, criterion, rng, criterion.id in evidenced)
            value = "unknown" if outcome is None else value_for(criterion, outcome)
            comment = None
            if outcome is Outcome.partial:
                comment = "部分项目已做到，尚未全面推广 / done in some projects, not yet everywhere"
            evidence = [f"https://wiki.example-bank.invalid/mlops/{criterion.id}"] if outcome is Outcome.met and criterion.level >= 3 else []
            answers.append(Answer(criterion=criterion.id, value=value, comment=comment, evidence=evidence))
        files.append(
            (
                persona,
                AnswerFile(
                    rubric=RubricRef(id=rubric.id, version=rubric.version, digest=loaded.digest),
                    organisation=ORGANISATION,
                    respondent=Respondent(id=persona.id, roles=list(persona.roles), team=persona.team),
                    roster=list(ROSTER),
                    answers=answers,
                ),
            )
        )
    return files


def waivers(loaded: LoadedRubric, evidenced: frozenset[str] = frozenset()) -> list[Waiver]:
    """Two waivers on practices the bank has not built: one current (a platform migration), one
    that expired and is void."""
    gaps = [
        (d, p, c)
        for d, p, c in loaded.rubric.criteria()
        if c.id not in evidenced and c.level >= true_level(d.id, p.id) + 2
    ]
    ops = [c for d, p, c in gaps if p.id == "OP.metric_collection"] or [c for d, p, c in gaps if d.id == "model_operations"]
    deliv = [c for d, p, c in gaps if p.id == "DL.integration_testing"] or [c for d, p, c in gaps if d.id == "model_delivery"]
    chosen = []
    if ops:
        chosen.append(
            Waiver(
                criterion=ops[0].id,
                justification="监控平台迁移期间以人工周报替代，迁移完成后恢复 / manual weekly review during the monitoring-platform migration",
                approved_by="首席风险官 / Chief Risk Officer",
                expires="2027-03-31",
            )
        )
    if deliv:
        chosen.append(
            Waiver(
                criterion=deliv[0].id,
                justification="旧渠道系统无法接入自动化测试 / legacy channel system cannot join automated tests",
                approved_by="科技部负责人 / Head of IT",
                expires="2026-06-30",
            )
        )
    return chosen


def reviewed_documents(loaded: LoadedRubric) -> list[tuple[str, str, str, list[str]]]:
    """Documents the bank's assessor read: (file name, title, text, criteria), for the criteria the
    evidence policy lets a reviewed document meet and the bank truly does (its true level reaches
    them). Their text is fictional; the assessment records each file's SHA-256."""
    from mlops_audit.rubric.model import Strength

    policy = loaded.rubric.evidence_policy
    chosen: dict[str, list[str]] = {}
    for domain, practice, criterion in loaded.rubric.criteria():
        accepts = policy.required_strength(criterion).rank <= Strength.reviewed.rank
        # Level-2 written rules and plans the assessor read, and any higher criterion the policy
        # lets a document meet, where the bank really does it.
        if accepts and 2 <= criterion.level <= true_level(domain.id, practice.id) and len(chosen.get(domain.id, [])) < 4:
            chosen.setdefault(domain.id, []).append(criterion.id)
    docs = []
    for domain_id, ids in sorted(chosen.items()):
        title = f"{domain_id} governance pack 2026 (policy, committee minutes, validation reports)"
        text = "\n".join(
            [f"# {title}", "", "Fictional document of the mlops-audit demo bank.", ""]
            + [f"- {cid}: described and approved in section {i + 1}." for i, cid in enumerate(ids)]
        ) + "\n"
        docs.append((f"{domain_id}-governance-2026.md", title, text, ids))
    return docs


def decide_conflicts(conflicts) -> list[dict[str, str]]:
    """The assessor's decisions on the first conflicts found (DESIGN §4 rule 2): where the
    evidence was checked with the team it wins; one answer is upheld; the rest stay open."""
    decisions = []
    for i, conflict in enumerate(sorted(conflicts, key=lambda c: c.criterion)[:3]):
        side = "respondents" if i == 2 else "evidence"
        reason = (
            "与团队核实：证据所示流程确已在生产使用 / checked with the team: the practice the evidence shows is used in production"
            if side == "evidence"
            else "证据来自试点流水线，尚未推广至生产 / the evidence comes from the pilot pipeline, not yet used in production"
        )
        decisions.append({"criterion": conflict.criterion, "side": side, "decided_by": "王敏 / Wang Min (lead assessor)",
                          "decided_at": "2026-11-28", "reason": reason})
    return decisions
