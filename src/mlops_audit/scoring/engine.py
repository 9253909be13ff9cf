"""assess(): rubric + answers + evidence + waivers -> Assessment. Pure: no I/O, no clock.

Every number in the result can be explained: each criterion carries its contribution to the
overall score (contributions add up to it), and each practice names the criteria blocking its next
level.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mlops_audit import TOOL_NAME, __version__
from mlops_audit.evidence.answers import AnswerFile, Organisation, answer_outcome
from mlops_audit.evidence.model import Evidence, Resolution, Waiver
from mlops_audit.result.model import (
    AnswerRecord,
    Assessment,
    CriterionResult,
    DomainResult,
    Gap,
    InputRef,
    OutcomeCounts,
    OverallResult,
    PipelinePartResult,
    PracticeResult,
    RepoRecord,
    RespondentSummary,
    RubricRef,
    RunRecord,
    ToolRef,
    WaiverRecord,
)
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import PIPELINE_PARTS, EvidencePolicy, Outcome
from mlops_audit.scoring import levels as lv
from mlops_audit.scoring.caveats import assessment_caveats
from mlops_audit.scoring.reconcile import CREDIT, reconcile
from mlops_audit.scoring.roles import merge_rosters, role_coverage
from mlops_audit.util.clock import isoformat
from mlops_audit.util.jsonio import canonical_json

# Fixed namespace so assessment ids are uuid5 values, stable for the same inputs.
ASSESSMENT_NAMESPACE = uuid.UUID("6f1c2a57-3a8e-5d5e-9b0e-2f4b8f6f9a01")


@dataclass(frozen=True)
class AssessmentInputs:
    rubric: LoadedRubric
    answer_files: Sequence[tuple[str, AnswerFile]] = ()
    evidence: Sequence[Evidence] = ()
    waivers: Sequence[Waiver] = ()
    policy: EvidencePolicy | None = None
    runs: Sequence[RunRecord] = ()
    repos: Sequence[RepoRecord] = ()
    inputs: Sequence[InputRef] = ()
    organisation: Organisation | None = None
    assessor: str | None = None
    warnings: Sequence[str] = field(default_factory=tuple)
    resolutions: Sequence[Resolution] = ()


def _answer_records(inputs: AssessmentInputs, warnings: list[str]) -> tuple[dict[str, list[AnswerRecord]], list[RespondentSummary]]:
    index = inputs.rubric.rubric.criterion_index()
    asked_of = {cid: frozenset(entry[2].question.roles) for cid, entry in index.items()}
    per_criterion: dict[str, list[AnswerRecord]] = defaultdict(list)
    summaries: list[RespondentSummary] = []
    seen: dict[str, str] = {}
    for source, file in sorted(inputs.answer_files, key=lambda item: (item[1].respondent.id, item[0])):
        who = file.respondent
        if who.id in seen:
            warnings.append(
                f"{source}: respondent '{who.id}' already answered in {seen[who.id]}; this file's answers are ignored"
            )
            continue
        seen[who.id] = source
        their_roles = sorted(set(who.roles))
        role_set = frozenset(their_roles)
        answered = 0
        done: set[str] = set()
        for answer in file.answers:
            if answer.criterion not in index:
                warnings.append(f"{source}: unknown criterion id '{answer.criterion}' ignored")
                continue
            if answer.criterion in done:
                warnings.append(f"{source}: criterion '{answer.criterion}' answered twice; the first answer is used")
                continue
            done.add(answer.criterion)
            if not answer.confirmed:
                warnings.append(
                    f"{source}: answer to '{answer.criterion}' was proposed by {answer.proposed_by or 'a detector'} "
                    "and not confirmed by the respondent; ignored"
                )
                continue
            question = index[answer.criterion][2].question
            outcome = answer_outcome(question, answer.value)
            if outcome is not None:
                answered += 1
            per_criterion[answer.criterion].append(
                AnswerRecord(
                    respondent=who.id,
                    roles=their_roles,
                    value=answer.value,
                    outcome=outcome,
                    routed=bool(role_set & asked_of[answer.criterion]),
                    comment=answer.comment,
                    evidence=list(answer.evidence),
                    proposed_by=answer.proposed_by,
                )
            )
        summaries.append(
            RespondentSummary(id=who.id, roles=sorted(set(who.roles)), team=who.team, source=source, answered=answered)
        )
    return per_criterion, summaries


def _pick_waivers(waivers: Sequence[Waiver], known: set[str]) -> tuple[dict[str, Waiver], list[WaiverRecord]]:
    chosen: dict[str, Waiver] = {}
    unknown: list[WaiverRecord] = []
    for waiver in waivers:
        if waiver.criterion not in known:
            unknown.append(
                WaiverRecord(
                    criterion=waiver.criterion,
                    justification=waiver.justification,
                    approved_by=waiver.approved_by,
                    expires=waiver.expires,
                    status="unknown_criterion",
                )
            )
            continue
        prior = chosen.get(waiver.criterion)
        if prior is None or waiver.expires > prior.expires:
            chosen[waiver.criterion] = waiver
    return chosen, unknown


def _reconcile_all(inputs, rubric, policy, answers_by_criterion, evidence_by_criterion, waivers, assessed_at):
    """Every criterion through the combination table; assessor resolutions apply to conflicts only."""
    resolutions = {r.criterion: r for r in inputs.resolutions}
    verdicts = {}
    for _domain, _practice, criterion in rubric.criteria():
        verdicts[criterion.id] = reconcile(
            criterion,
            answers_by_criterion.get(criterion.id, []),
            evidence_by_criterion.get(criterion.id, []),
            waivers.get(criterion.id),
            policy,
            assessed_at,
            resolutions.get(criterion.id),
        )
    unused = sorted(cid for cid in resolutions if cid not in verdicts or not verdicts[cid].conflicts)
    return verdicts, unused


def _assessment_id(inputs: AssessmentInputs, assessed_at: str) -> str:
    basis = {
        "rubric": inputs.rubric.digest,
        "inputs": sorted((i.kind, i.name, i.sha256 or "") for i in inputs.inputs),
        "assessed_at": assessed_at,
    }
    return str(uuid.uuid5(ASSESSMENT_NAMESPACE, canonical_json(basis)))


@dataclass(frozen=True)
class _Aggregate:
    practices: list[PracticeResult]
    domains: list[DomainResult]
    overall: OverallResult
    items: dict[str, list[lv.Scored]]  # practice id -> its criteria as scored items
    share: dict[str, float]  # practice id -> its share of the overall score


def _aggregate(rubric, verdicts) -> _Aggregate:
    """Practices -> domains -> overall (rules 4-5), keeping the weight shares for contributions."""
    practice_results: list[PracticeResult] = []
    domain_results: list[DomainResult] = []
    practice_share: dict[str, float] = {}  # a practice's share of the overall score
    domain_pairs: list[tuple[float, float | None]] = []
    domain_levels: list[tuple[str, int]] = []
    practice_items: dict[str, list[lv.Scored]] = {}
    for domain in rubric.domains:
        pairs: list[tuple[float, float | None]] = []
        levels: list[tuple[str, int]] = []
        for practice in domain.practices:
            items = [
                lv.Scored(c.level, c.weight, verdicts[c.id].outcome, CREDIT.get(verdicts[c.id].outcome, 0.0))
                for c in practice.criteria
            ]
            practice_items[practice.id] = items
            applicable = lv.is_applicable(items)
            level = lv.practice_level(items) if applicable else 0
            score = lv.practice_score(items) if applicable else None
            counts = OutcomeCounts(**{o.value: sum(1 for s in items if s.outcome is o) for o in Outcome})
            blocking = (
                sorted(
                    c.id
                    for c in practice.criteria
                    if c.level == level + 1 and verdicts[c.id].outcome not in (*lv.PASSING_LEVEL, Outcome.not_applicable)
                )
                if applicable and level < 5
                else []
            )
            practice_results.append(
                PracticeResult(
                    id=practice.id,
                    domain=domain.id,
                    pipeline_part=practice.pipeline_part,
                    weight=practice.weight,
                    applicable=applicable,
                    level=level,
                    score=lv.round_score(score),
                    coverage=lv.round_score(lv.coverage(items)),
                    counts=counts,
                    blocking=blocking,
                )
            )
            if applicable:
                pairs.append((practice.weight, score))
                levels.append((practice.id, level))
        d_applicable = bool(levels)
        d_score = lv.weighted_mean(pairs) if d_applicable else None
        d_level = lv.weakest_level(level for _, level in levels)
        all_items = [s for p in domain.practices for s in practice_items[p.id]]
        domain_results.append(
            DomainResult(
                id=domain.id,
                weight=domain.weight,
                applicable=d_applicable,
                level=d_level,
                score=lv.round_score(d_score),
                coverage=lv.round_score(lv.coverage(all_items)),
                practices=[p.id for p in domain.practices],
                weakest=sorted(pid for pid, level in levels if level == d_level) if d_applicable else [],
            )
        )
        if d_applicable and domain.profile is None:  # profile domains stay out of the CAICT overall
            domain_pairs.append((domain.weight, d_score))
            domain_levels.append((domain.id, d_level))

    # Shares: how much one point of practice score moves the overall score.
    total_domain_weight = sum(w for w, s in domain_pairs if s is not None)
    for domain in rubric.domains:
        d_res = next(d for d in domain_results if d.id == domain.id)
        scored_practices = [
            (p, r) for p in domain.practices for r in practice_results if r.id == p.id and r.score is not None
        ]
        p_total = sum(p.weight for p, _ in scored_practices)
        for practice, _ in scored_practices:
            counted = total_domain_weight and d_res.score is not None and domain.profile is None
            d_share = domain.weight / total_domain_weight if counted else 0.0
            practice_share[practice.id] = (practice.weight / p_total if p_total else 0.0) * d_share

    overall_score = lv.weighted_mean(domain_pairs)
    overall_level = lv.weakest_level(level for _, level in domain_levels)
    all_scored = [s for d in rubric.domains if d.profile is None for p in d.practices for s in practice_items[p.id]]
    overall = OverallResult(
        level=overall_level,
        score=lv.round_score(overall_score),
        coverage=lv.round_score(lv.coverage(all_scored)),
        weakest=sorted(did for did, level in domain_levels if level == overall_level),
    )

    return _Aggregate(practice_results, domain_results, overall, practice_items, practice_share)


def _criteria_and_gaps(rubric, verdicts, agg: _Aggregate, policy, answers_by_criterion) -> tuple[list[CriterionResult], list[Gap]]:
    """Each criterion's result with its contribution to the overall score, and the gaps: the
    criteria blocking each practice's next level, those completing a level first, then by gain."""
    practice_results, practice_items, practice_share = agg.practices, agg.items, agg.share
    criterion_results: list[CriterionResult] = []
    gaps: list[Gap] = []
    practice_by_id = {r.id: r for r in practice_results}
    for domain, practice, criterion in rubric.criteria():
        verdict = verdicts[criterion.id]
        outcome = verdict.outcome
        items = practice_items[practice.id]
        counted_weight = sum(s.weight for s in items if s.outcome not in lv.EXCLUDED)
        credit = CREDIT.get(outcome, 0.0)
        applicable = outcome not in lv.EXCLUDED
        share = practice_share.get(practice.id, 0.0)
        unit = (100.0 * criterion.weight / counted_weight * share) if (applicable and counted_weight) else 0.0
        criterion_results.append(
            CriterionResult(
                id=criterion.id,
                practice=practice.id,
                domain=domain.id,
                level=criterion.level,
                weight=criterion.weight,
                outcome=outcome,
                credit=credit if applicable else 0.0,
                applicable=applicable,
                strength=verdict.strength,
                required_strength=policy.required_strength(criterion),
                claimed=verdict.claim.outcome,
                answers=answers_by_criterion.get(criterion.id, []),
                agreement=verdict.claim.agreement,
                contested=verdict.claim.contested,
                evidence=verdict.evidence_ids,
                unsubstantiated=verdict.unsubstantiated,
                waiver=verdict.waiver,
                conflict=bool(verdict.conflicts),
                basis=verdict.basis,
                contribution=round(unit * credit, 4),
            )
        )
        p_res = practice_by_id[practice.id]
        if criterion.id in p_res.blocking:
            gaps.append(
                Gap(
                    criterion=criterion.id,
                    practice=practice.id,
                    domain=domain.id,
                    target_level=p_res.level + 1,
                    outcome=outcome,
                    gain=round(unit * (1.0 - credit), 4),
                    completes_level=len(p_res.blocking) == 1,
                    unsubstantiated=verdict.unsubstantiated,
                )
            )
    domains = {d.id: d for d in agg.domains}
    rubric_domains = {d.id: d for d in rubric.domains}
    reach = []
    for gap in gaps:
        domain = domains[gap.domain]
        level = gap.target_level - 1
        blocks = "practice"
        if domain.applicable and level == domain.level:
            in_overall = rubric_domains[gap.domain].profile is None
            blocks = "overall" if in_overall and level == agg.overall.level else "domain"
        reach.append(gap.model_copy(update={"blocks": blocks}))
    order = {"overall": 0, "domain": 1, "practice": 2}
    gaps = sorted(reach, key=lambda g: (order[g.blocks], g.target_level, not g.completes_level, -g.gain, g.criterion))

    return criterion_results, gaps


def _pipeline_parts(practice_results: list[PracticeResult]) -> list[PipelinePartResult]:
    """The second view (DESIGN §2): practices grouped by the pipeline part they belong to."""
    parts = []
    for part in PIPELINE_PARTS:
        members = [r for r in practice_results if r.pipeline_part == part]
        live = [r for r in members if r.applicable]
        parts.append(
            PipelinePartResult(
                part=part,
                applicable=bool(live),
                level=lv.weakest_level(r.level for r in live),
                score=lv.round_score(lv.weighted_mean((r.weight, r.score) for r in live)),
                practices=[r.id for r in members],
            )
        )

    return parts


def assess(inputs: AssessmentInputs, *, assessed_at: datetime) -> Assessment:
    """Rubric + answers + evidence + waivers -> Assessment: reconcile each criterion by the
    combination table (scoring/combine.py), aggregate, explain."""
    loaded = inputs.rubric
    rubric = loaded.rubric
    policy = inputs.policy or rubric.evidence_policy
    warnings: list[str] = list(inputs.warnings)
    answers_by_criterion, respondents = _answer_records(inputs, warnings)
    evidence_by_criterion: dict[str, list[Evidence]] = defaultdict(list)
    index = rubric.criterion_index()
    for item in inputs.evidence:
        for cid in item.criteria:
            if cid in index:
                evidence_by_criterion[cid].append(item)
            else:
                warnings.append(f"evidence {item.id} names unknown criterion '{cid}'")
    waivers, waiver_records = _pick_waivers(inputs.waivers, set(index))
    verdicts, unused_resolutions = _reconcile_all(inputs, rubric, policy, answers_by_criterion, evidence_by_criterion, waivers, assessed_at)
    warnings += [f"resolution for '{cid}' matches no conflict between answers and evidence; it has no effect" for cid in unused_resolutions]

    agg = _aggregate(rubric, verdicts)
    criterion_results, gaps = _criteria_and_gaps(rubric, verdicts, agg, policy, answers_by_criterion)
    practice_results, domain_results, overall = agg.practices, agg.domains, agg.overall
    parts = _pipeline_parts(practice_results)

    roster, roster_conflicts = merge_rosters([(src, f.roster) for src, f in inputs.answer_files])
    roles = role_coverage(rubric, roster, roster_conflicts)

    conflicts = [c for v in verdicts.values() for c in v.conflicts]
    waiver_list = [v.waiver for v in verdicts.values() if v.waiver is not None] + waiver_records
    for record in waiver_list:
        if record.status == "expired":
            warnings.append(f"waiver for '{record.criterion}' expired on {record.expires}; it is void")
        elif record.status == "unknown_criterion":
            warnings.append(f"waiver names unknown criterion '{record.criterion}'; ignored")
    at = isoformat(assessed_at)
    conflicts = sorted(conflicts, key=lambda c: (c.criterion, c.kind))
    caveats = assessment_caveats(criterion_results, conflicts, overall.coverage, inputs.runs, waiver_list, unused_resolutions, inputs.repos)
    return Assessment(
        tool=ToolRef(name=TOOL_NAME, version=__version__),
        assessment_id=_assessment_id(inputs, at),
        assessed_at=at,
        organisation=inputs.organisation or next((f.organisation for _, f in sorted(inputs.answer_files, key=lambda x: x[0])), None),
        assessor=inputs.assessor,
        rubric=RubricRef(**loaded.ref),
        policy=policy,
        inputs=sorted(inputs.inputs, key=lambda i: (i.kind, i.name)),
        respondents=respondents,
        roster=roster,
        criteria=criterion_results,
        practices=practice_results,
        domains=domain_results,
        overall=overall,
        pipeline_parts=parts,
        roles=roles,
        evidence=sorted(inputs.evidence, key=lambda e: e.id),
        conflicts=conflicts,
        unsubstantiated=sorted(cid for cid, v in verdicts.items() if v.unsubstantiated),
        contested=sorted(cid for cid, v in verdicts.items() if v.claim.contested),
        waivers=sorted(waiver_list, key=lambda w: (w.criterion, w.status)),
        gaps=gaps,
        runs=list(inputs.runs),
        repos=list(inputs.repos),
        warnings=warnings,
        caveats=caveats,
        rubric_snapshot=rubric,
    )
