"""Caveats: what a reader must know before trusting the numbers (the report's first page).

Computed once, by the engine, from the parts of the assessment; renderers only display them.
Bilingual messages; pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mlops_audit.evidence.repo.learning import ONE_SIGN
from mlops_audit.result.model import Caveat, Conflict, CriterionResult, RepoRecord, RunRecord, WaiverRecord
from mlops_audit.rubric.model import Text

# Coverage under this share of applicable criteria makes the numbers a sample, not an assessment.
LOW_COVERAGE = 0.5


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def _few(items: Sequence[str], n: int = 5) -> str:
    items = list(items)
    return ", ".join(items[:n]) + (f" (+{len(items) - n})" if len(items) > n else "")


def _counted(run: RunRecord) -> bool:
    return run.ok and run.duplicate_of is None


# One caveat per group of runs that are not worth 'verified': (kind, severity, which runs, zh, en).
_RUN_GROUPS: list[tuple[Any, Any, Callable[[RunRecord], bool], str, str]] = [
    ("run_other_organisation", "warning", lambda r: _counted(r) and r.status == "other_organisation",
     "以下运行记录的组织与本次评估不符，未计入：{names}。",
     "These runs name another organisation than the one assessed and are not credited: {names}."),
    ("run_unbound", "warning", lambda r: _counted(r) and r.status == "unbound",
     "以下运行的清单未注明其所属系统与组织，未计入：{names}。",
     "These runs' manifests do not name the system and organisation they ran for, so they are not credited: {names}."),
    ("run_reference", "warning", lambda r: _counted(r) and r.reference and r.credited,
     "已计入本工具自带参考流水线的运行（{names}）：它证明的是参考流水线，而非被评估组织的系统；仅用于演示或经评估人明确同意。",
     "Runs of the tool's bundled reference pipeline are credited ({names}): they show the reference pipeline, not the assessed "
     "organisation's system. For the demo, or where the assessor explicitly accepted it."),
    ("run_unsigned", "warning", lambda r: _counted(r) and r.status == "excluded_by_policy",
     "按证据政策，未签名或签名密钥不受信任的运行不计入：{names}。",
     "Under the evidence policy, runs that are unsigned or signed by an untrusted key are not credited: {names}."),
    ("run_reference", "info", lambda r: _counted(r) and r.status == "reference",
     "以下为本工具自带参考流水线的运行，未计入：{names}。",
     "These are runs of the tool's bundled reference pipeline and are not credited: {names}."),
    ("run_unsigned", "warning", lambda r: _counted(r) and r.credited and r.signature == "absent",
     "以下运行未签名，其证据强度至多为“有证据”，而非“已验证”：{names}。",
     "These runs are unsigned, so their evidence is at most 'evidenced', not 'verified': {names}."),
    ("run_untrusted_signer", "warning", lambda r: _counted(r) and r.credited and r.signature == "valid" and not r.trusted_signer,
     "以下运行的签名密钥未被本次评估信任（--trust-key），其证据强度至多为“有证据”：{names}。",
     "These runs are signed by a key this assessment does not trust (--trust-key), so their evidence is at most 'evidenced': {names}."),
    ("run_duplicate", "info", lambda r: r.duplicate_of is not None,
     "以下运行重复提供，只计一次：{names}。",
     "These runs were given more than once and are counted once: {names}."),
]


def run_caveats(runs: Sequence[RunRecord]) -> list[Caveat]:
    found: list[Caveat] = []
    bad = [r for r in runs if not r.ok and r.duplicate_of is None]
    for run in bad:
        where = f"seq {run.first_bad_seq}" if run.first_bad_seq is not None else (run.problems[0] if run.problems else "the manifest")
        found.append(Caveat(
            kind="run_not_verified", severity="critical", subjects=[run.name],
            message=_t(
                f"流水线运行 {run.name} 的审计轨迹未通过校验（首个问题：{where}），已被排除，不计入任何证据。",
                f"Pipeline run {run.name} failed verification (first bad record: {where}); it is excluded and counts as no evidence.",
            ),
        ))

    for kind, severity, belongs, zh, en in _RUN_GROUPS:
        members = [r for r in runs if belongs(r)]
        if members:
            names = _few([r.name for r in members])
            found.append(Caveat(kind=kind, severity=severity, subjects=[r.name for r in members],
                                message=_t(zh.format(names=names), en.format(names=names))))
    return found


def learning_material_caveats(repos: Sequence[RepoRecord]) -> list[Caveat]:
    """Repository evidence from teaching or learning material. A repository that is a course is no
    team's system: its findings say little about how the team works (critical). Part of one being
    lessons, or the assessor counting lessons as project code anyway, is for the reader to weigh
    (warning). One caveat per repository, so each names its reasons."""
    found: list[Caveat] = []
    for repo in sorted(repos, key=lambda r: r.name):
        note = repo.learning_material
        if note is None:
            continue
        pct = round(100 * note.code_share)
        why = "; ".join(note.reasons) or "—"
        if note.counted:
            message = _t(
                f"仓库 {repo.name} 被判定为教学/学习材料（{'课程' if note.verdict == 'course' else '部分'}，约 {pct}% 的代码），"
                f"但评估人选择将其作为项目代码计入证据（--count-learning-material）。依据：{why}",
                f"Repository {repo.name} reads as teaching or learning material ({note.verdict}, about {pct}% of its code), "
                f"but the assessor chose to count it as project code (--count-learning-material). Why: {why}",
            )
            severity = "warning"
        elif note.verdict == "course":
            message = _t(
                f"仓库 {repo.name} 被判定为课程/教学材料，而非团队的系统：其课程代码未计为团队实践，该仓库的证据几乎不说明团队如何工作。"
                f"若这确是团队的系统，请用 --count-learning-material 重新采集。依据：{why}",
                f"Repository {repo.name} reads as a course or other teaching material, not a team's system: its lesson code was not "
                f"counted as the team's practice, so its evidence says little about how the team works. If it is the team's "
                f"system, collect it again with --count-learning-material. Why: {why}",
            )
            severity = "critical"
        elif not note.code_share and any(r.startswith(ONE_SIGN) for r in note.reasons):  # one sign (session 13): reported, nothing left out
            message = _t(
                f"仓库 {repo.name} 有一个教学/学习材料的迹象，不足以将整个仓库判为教学材料：未排除任何代码，其实践照常计入。"
                f"若它确是教学材料，请用 --learning-material 重新采集。依据：{why}",
                f"Repository {repo.name} shows one sign of teaching or learning material, not enough to set it aside: nothing was "
                f"left out and its practices were credited. If it is teaching material, collect it again with --learning-material. Why: {why}",
            )
            severity = "info"
        else:
            message = _t(
                f"仓库 {repo.name} 中约 {pct}% 的代码被判定为教学/学习材料，未计为团队实践。依据：{why}",
                f"About {pct}% of repository {repo.name}'s code reads as teaching or learning material and was not counted as "
                f"the team's practice. Why: {why}",
            )
            severity = "warning"
        found.append(Caveat(kind="repo_learning_material", severity=severity, subjects=[repo.name], message=message))
    return found


def assessment_caveats(
    criteria: Sequence[CriterionResult],
    conflicts: Sequence[Conflict],
    coverage: float | None,
    runs: Sequence[RunRecord],
    waivers: Sequence[WaiverRecord],
    unused_resolutions: Sequence[str],
    repos: Sequence[RepoRecord] = (),
) -> list[Caveat]:
    found: list[Caveat] = []
    open_conflicts = sorted({c.criterion for c in conflicts if c.resolution is None})
    if open_conflicts:
        found.append(Caveat(
            kind="conflicts", severity="critical", criteria=open_conflicts,
            message=_t(
                f"{len(open_conflicts)} 条准则的答卷与证据相互矛盾且尚未裁决（暂以答卷结论为准）：{_few(open_conflicts)}。",
                f"{len(open_conflicts)} criteria have answers that contradict the evidence and no assessor decision yet "
                f"(the respondents' outcome stands until decided): {_few(open_conflicts)}.",
            ),
        ))
    if coverage is not None and coverage < LOW_COVERAGE:
        pct = round(100 * coverage)
        found.append(Caveat(
            kind="low_coverage", severity="critical",
            message=_t(
                f"覆盖率仅 {pct}%：大多数准则没有任何答卷或证据，等级与得分只反映已评估的部分。",
                f"Coverage is only {pct}%: most criteria have no answer or evidence, so the levels and scores describe only what was assessed.",
            ),
        ))
    unsubstantiated = sorted(c.id for c in criteria if c.unsubstantiated)
    if unsubstantiated:
        found.append(Caveat(
            kind="unsubstantiated", severity="warning", criteria=unsubstantiated,
            message=_t(
                f"{len(unsubstantiated)} 条准则的“是”缺乏所需强度的证据，只按部分满足计分：{_few(unsubstantiated)}。",
                f"{len(unsubstantiated)} criteria are claimed without evidence of the strength they need and count as partial: {_few(unsubstantiated)}.",
            ),
        ))
    unrouted = sorted({c.id for c in criteria for a in c.answers if not a.routed and a.outcome is not None})
    if unrouted:
        found.append(Caveat(
            kind="unrouted_answers", severity="info", criteria=unrouted,
            message=_t(
                f"{len(unrouted)} 条准则收到了题目未分派角色的回答（仅在无分派角色作答时计票）：{_few(unrouted)}。",
                f"{len(unrouted)} criteria received answers from roles the question is not asked of (they vote only where no routed role answered): {_few(unrouted)}.",
            ),
        ))
    found += run_caveats(runs)
    found += learning_material_caveats(repos)
    expired = sorted(w.criterion for w in waivers if w.status == "expired")
    if expired:
        found.append(Caveat(
            kind="waiver_expired", severity="warning", criteria=expired,
            message=_t(f"以下豁免已过期，视为无效：{_few(expired)}。", f"These waivers have expired and are void: {_few(expired)}."),
        ))
    unknown = sorted(w.criterion for w in waivers if w.status == "unknown_criterion")
    if unknown:
        found.append(Caveat(
            kind="waiver_unknown_criterion", severity="critical", subjects=unknown,
            message=_t(f"以下豁免所指准则不存在，未生效：{_few(unknown)}。", f"These waivers name criteria that do not exist and had no effect: {_few(unknown)}."),
        ))
    if unused_resolutions:
        found.append(Caveat(
            kind="resolution_unused", severity="warning", criteria=sorted(unused_resolutions),
            message=_t(
                f"以下裁决所指准则并无冲突，未生效：{_few(sorted(unused_resolutions))}。",
                f"These assessor decisions name criteria without a conflict and had no effect: {_few(sorted(unused_resolutions))}.",
            ),
        ))
    order = {"critical": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda c: order[c.severity])
