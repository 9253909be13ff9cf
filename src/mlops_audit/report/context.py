"""Assessment -> the plain view model the HTML template renders (one language at a time).

All decisions about what a section shows, and why it is absent, live here (tested in Python);
the template only lays things out. Texts from the rubric come from the assessment's snapshot in
the chosen language; the report's own words come from the message catalogue.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any


from mlops_audit.report import charts, priorities
from mlops_audit.report.caveats import caveats_for
from mlops_audit.report.diff import AssessmentDiff, diff_assessments
from mlops_audit.report.i18n import Messages
from mlops_audit.result.model import Assessment, CriterionResult
from mlops_audit.rubric.model import PIPELINE_PARTS, Outcome, Strength

SECTIONS: tuple[str, ...] = (
    "summary",
    "methodology",
    "domains",
    "pipeline",
    "roles",
    "mra",
    "regulatory",
    "exceptions",
    "gaps",
    "trend",
    "appendix",
)
MRA_PREFIX = "CASE.mra"
STRENGTH_TOP = 5  # strengths listed in the executive summary
GAPS_TOP = 8  # gaps listed in the executive summary
WEAKEST_NAMED = 3  # practices named in the weakest-link sentence
COVER_BLOCKERS = 12  # blocking criteria listed on the cover; the executive summary lists every one
CAVEAT_LINKS = 12  # criteria linked from one caveat banner (the message names them all up to its own cap)
PASSING = (Outcome.met, Outcome.waived, Outcome.not_applicable)


def anchor(kind: str, ident: str) -> str:
    """A safe id attribute for anything, whatever characters its identifier holds."""
    return f"{kind}-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:12]}"


def source_line(publisher: str, title: str, year: int | str) -> str:
    """'Publisher · Title (year)', the year once: guide titles often carry it already."""
    shown = title if str(year) in title else f"{title} ({year})"
    return f"{publisher} · {shown}"


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value * 100:.0f}%"


def _score(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def potential_gains(a: Assessment) -> dict[str, float]:
    """Overall score points each applicable criterion would add if it became met.

    Same arithmetic as the engine's contributions (DESIGN §4 rule 5): a practice's share of the
    overall score is its weight share in its domain times its domain's weight share overall.
    """
    practices = {p.id: p for p in a.practices}
    scored_domains = [d for d in a.domains if d.score is not None]
    total_domain = sum(d.weight for d in scored_domains)
    share: dict[str, float] = {}
    for d in scored_domains:
        scored = [practices[p] for p in d.practices if practices[p].score is not None]
        p_total = sum(p.weight for p in scored)
        for p in scored:
            share[p.id] = (p.weight / p_total if p_total else 0.0) * (d.weight / total_domain if total_domain else 0.0)
    counted: dict[str, float] = defaultdict(float)
    for c in a.criteria:
        if c.applicable:
            counted[c.practice] += c.weight
    gains = {}
    for c in a.criteria:
        if not c.applicable or c.practice not in share or not counted[c.practice]:
            continue
        unit = 100.0 * c.weight / counted[c.practice] * share[c.practice]
        gains[c.id] = round(unit * (1.0 - c.credit), 4)
    return gains


class ContextBuilder:
    def __init__(self, a: Assessment, t: Messages, *, previous: Assessment | None, report_digest: str) -> None:
        self.a = a
        self.t = t
        self.lang = t.lang
        self.previous = previous
        self.report_digest = report_digest
        self.rubric = a.rubric_snapshot
        self.index = self.rubric.criterion_index()
        self.practice_text = {p.id: p for _, p in self.rubric.practices()}
        self.domain_text = {d.id: d for d in self.rubric.domains}
        self.role_text = {r.id: r for r in self.rubric.roles}
        self.results = {c.id: c for c in a.criteria}
        self.evidence = {e.id: e for e in a.evidence}
        # Short, stable labels (E1, E2, ...) in register order: long evidence ids made tables unreadable.
        self.evidence_number = {e.id: n for n, e in enumerate(a.evidence, start=1)}
        self.assessed = any(c.outcome is not Outcome.not_assessed for c in a.criteria)

    # -- small helpers -------------------------------------------------------------------------
    def level_name(self, n: int) -> str:
        return self.rubric.level(n).name.get(self.lang)

    def level_label(self, n: int) -> str:
        return f"L{n} {self.level_name(n)}"

    def outcome(self, o: Outcome) -> str:
        return self.t(f"outcome.{o.value}")

    def strength(self, s: Strength | None) -> str:
        return self.t(f"strength.{s.value}") if s is not None else "—"

    def role(self, rid: str) -> str:
        role = self.role_text.get(rid)
        return role.name.get(self.lang) if role else rid

    def practice_title(self, pid: str) -> str:
        p = self.practice_text.get(pid)
        return p.title.get(self.lang) if p else pid

    def domain_name(self, did: str) -> str:
        d = self.domain_text.get(did)
        return d.name.get(self.lang) if d else did

    def criterion_text(self, cid: str) -> str:
        entry = self.index.get(cid)
        return entry[2].text.get(self.lang) if entry else cid

    def part_name(self, part: str) -> str:
        return self.t(f"parts.{part}")

    def evidence_links(self, ids: list[str]) -> list[dict[str, str]]:
        return [
            {"anchor": anchor("ev", e), "label": f"E{self.evidence_number[e]}" if e in self.evidence_number else e, "title": e}
            for e in ids
        ]

    def absent(self, key: str) -> dict[str, Any]:
        return {"present": False, "reason": self.t(f"absent.{key}")}

    # -- sections ------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        a = self.a
        return {
            "organisation": a.organisation.name if a.organisation else self.t("cover.unnamed_organisation"),
            "scope": (a.organisation.scope if a.organisation and a.organisation.scope else self.t("cover.scope_unstated")),
            "assessor": a.assessor or self.t("cover.assessor_unstated"),
            "assessed_at": a.assessed_at.replace("T", " ").replace("Z", " UTC"),
            "assessed_at_iso": a.assessed_at,
            "assessment_id": a.assessment_id,
            "rubric_title": self.rubric.title.get(self.lang),
            "rubric_id": a.rubric.id,
            "rubric_version": a.rubric.version,
            "rubric_digest": a.rubric.digest,
            "policy": f"{a.policy.id} {a.policy.version}",
            "tool": f"{a.tool.name} {a.tool.version}",
            "report_digest": self.report_digest,
            "source": source_line(self.rubric.source.publisher.get(self.lang), self.rubric.source.title.get(self.lang), self.rubric.source.year),
        }

    def summary(self) -> dict[str, Any]:
        a = self.a
        domains = [
            {
                "anchor": anchor("dom", d.id),
                "name": self.domain_name(d.id),
                "applicable": d.applicable,
                "level": d.level,
                "level_name": self.level_name(d.level),
                "score": _score(d.score),
                "coverage": _pct(d.coverage),
            }
            for d in a.domains
        ]
        axes = [(self.domain_name(d.id), d.level) for d in a.domains if d.applicable]
        if len(axes) >= 3:
            chart = charts.radar(axes, title=self.t("summary.radar_title"))
        elif axes:
            chart = charts.level_bars(axes, title=self.t("summary.radar_title"))
        else:
            chart = None
        strengths = self._strengths()
        blockers = self._next_level()
        other = [self._gap_row(g.criterion, g.target_level, g.gain) for g in priorities.other_gaps(a, GAPS_TOP)] if self.assessed else []
        caveats = [
            {
                "kind": c.kind,
                "severity": c.severity,
                "severity_label": self.t(f"severity.{c.severity}"),
                "text": c.text(self.lang),
                "criteria": [{"id": x, "anchor": anchor("cr", x)} for x in c.criteria if x in self.results][:CAVEAT_LINKS],
            }
            for c in caveats_for(a, self.previous)
        ]
        return {
            "level": a.overall.level,
            "level_name": self.level_name(a.overall.level),
            "level_description": self.rubric.level(a.overall.level).description.get(self.lang),
            "score": _score(a.overall.score) or "—",
            "coverage": _pct(a.overall.coverage) or "—",
            "weakest": [self.domain_name(d) for d in a.overall.weakest],
            "domains": domains,
            "chart": chart,
            "assessed": self.assessed,
            "not_assessed_note": None if self.assessed else self.t("absent.nothing_assessed"),
            "caveats": caveats,
            "caveats_none": None if caveats else self.t("summary.caveats_none"),
            "next_level": blockers,
            "strengths": strengths,
            "strengths_reason": None if strengths else self.t("absent.strengths" if self.assessed else "absent.not_assessed_short"),
            "weakest_link": self._weakest_link(),
            "top_gaps": other,
            "top_gaps_reason": None if other else self.t("summary.other_gaps_none" if self.assessed else "absent.not_assessed_short"),
            "counts": self._counts(a.criteria),
        }

    def _counts(self, criteria: list[CriterionResult]) -> list[dict[str, Any]]:
        return [
            {"outcome": o.value, "label": self.outcome(o), "count": sum(1 for c in criteria if c.outcome is o)}
            for o in Outcome
        ]

    def _strengths(self) -> list[dict[str, Any]]:
        practices = {p.id: p for p in self.a.practices}
        return [
            {
                "id": pid,
                "anchor": anchor("pr", pid),
                "title": self.practice_title(pid),
                "level": practices[pid].level,
                "level_name": self.level_name(practices[pid].level),
                "score": _score(practices[pid].score),
            }
            for pid in priorities.strengths(self.a, STRENGTH_TOP)
        ]

    def _weakest_link(self) -> str | None:
        """One plain sentence when some practice sits above the overall level (the weakest-link rule)."""
        a = self.a
        if not any(p.applicable and p.level > a.overall.level for p in a.practices) or not a.overall.weakest:
            return None
        weakest = [self.practice_title(p) for d in a.domains if d.id in a.overall.weakest for p in d.weakest]
        weakest = list(dict.fromkeys(weakest)) or [self.domain_name(d) for d in a.overall.weakest]
        names = self.t("list_sep").join(weakest[:WEAKEST_NAMED])
        if len(weakest) > WEAKEST_NAMED:
            names += self.t("summary.and_more", count=len(weakest) - WEAKEST_NAMED)
        return self.t("summary.weakest_link", weakest=names, level=a.overall.level)

    def _next_level(self) -> dict[str, Any]:
        a = self.a
        target = priorities.next_level_target(a)
        if target is None:
            return {"target": None, "cover_rows": [], "cover_more": None, "note": self.t("summary.next_level_top") if self.assessed else self.t("absent.not_assessed_short"), "domains": []}
        groups = priorities.next_level_blockers(a)
        org = a.organisation.name if a.organisation else self.t("cover.unnamed_organisation")
        domains = [
            {
                "name": self.domain_name(g.domain),
                "anchor": anchor("dom", g.domain),
                "level": g.level,
                "level_name": self.level_name(g.level),
                "rows": [
                    self._gap_row(b.criterion, b.level, b.gain)
                    | {"owners": self.t("list_sep").join(self.role(r) for r in b.owners) or "—", "conflict": b.conflict}
                    for b in g.blockers
                ],
            }
            for g in groups
        ]
        count = sum(len(d["rows"]) for d in domains)
        # The cover lists the first COVER_BLOCKERS (page 1 must hold the caveats too); the summary lists all.
        cover = [
            {"domain": d if i == 0 else None, "row": row}
            for d in domains
            for i, row in enumerate(d["rows"])
        ]
        return {
            "cover_rows": cover[:COVER_BLOCKERS],
            "cover_more": self.t("summary.next_level_more", count=len(cover) - COVER_BLOCKERS) if len(cover) > COVER_BLOCKERS else None,
            "target": target,
            "title": self.t("summary.next_level", org=org, target=target, name=self.level_name(target)),
            "intro": self.t("summary.next_level_intro", count=count, domains=len(domains), target=target),
            "domains": domains,
            "note": None,
        }

    def _gap_row(self, cid: str, target: int, gain: float | None) -> dict[str, Any]:
        r = self.results[cid]
        criterion = self.index[cid][2]
        return {
            "id": cid,
            "anchor": anchor("cr", cid),
            "practice": self.practice_title(r.practice),
            "text": criterion.text.get(self.lang),
            "remediation": criterion.remediation.get(self.lang),
            "target": target,
            "target_name": self.level_name(target),
            "outcome": r.outcome.value,
            "outcome_label": self.outcome(r.outcome),
            "gain": None if gain is None else f"{gain:.2f}",
            "unsubstantiated": r.unsubstantiated,
        }

    def methodology(self) -> dict[str, Any]:
        rubric, policy = self.rubric, self.a.policy
        policy_rows = [
            {
                "level": n,
                "level_name": self.level_name(n),
                "min_strength": self.strength(policy.min_strength[n]),
                "pipeline": self.strength(Strength.verified)
                if n >= policy.verified_for_pipeline_steps_from_level
                else self.strength(policy.min_strength[n]),
            }
            for n in range(1, 6)
        ]
        respondents = [
            {
                "id": r.id,
                "roles": self.t("list_sep").join(self.role(x) for x in r.roles),
                "team": r.team or "—",
                "source": r.source,
                "answered": r.answered,
            }
            for r in self.a.respondents
        ]
        return {
            "rubric_title": rubric.title.get(self.lang),
            "rubric_description": rubric.description.get(self.lang),
            "n_domains": len(rubric.domains),
            "n_practices": len(rubric.practices()),
            "n_criteria": len(rubric.criteria()),
            "levels": [
                {"level": lv.level, "name": lv.name.get(self.lang), "description": lv.description.get(self.lang)}
                for lv in rubric.levels
            ],
            "strengths": [
                {"name": self.strength(s), "description": self.t(f"strength_help.{s.value}")} for s in Strength
            ],
            "policy_id": f"{policy.id} {policy.version}",
            "policy_description": policy.description.get(self.lang) if policy.description else None,
            "policy_rows": policy_rows,
            "rules": [self.t(f"rules.r{i}") for i in range(1, 8)],
            "limitations": [self.t(f"limitations.l{i}") for i in range(1, 6)],
            "respondents": respondents,
            "respondents_reason": None if respondents else self.t("absent.respondents"),
            "inputs": [{"kind": i.kind, "name": i.name, "sha256": i.sha256 or "—"} for i in self.a.inputs],
            "answers_logs": [
                self.t("methodology.answers_log", name=i.name, entries=i.entries, head=i.sha256) for i in self.a.inputs if i.kind == "answers_log"
            ],
        }

    def _criterion_row(self, c: CriterionResult) -> dict[str, Any]:
        criterion = self.index[c.id][2]
        answered = [x for x in c.answers if x.outcome is not None]
        if answered and c.agreement is not None:
            agree = round(c.agreement * len(answered))
            agreement = self.t("detail.agreement", agree=agree, total=len(answered))
        else:
            agreement = "—"
        comments = [
            {"who": x.respondent, "text": x.comment} for x in c.answers if x.comment
        ]
        return {
            "id": c.id,
            "anchor": anchor("cr", c.id),
            "level": c.level,
            "text": criterion.text.get(self.lang),
            "outcome": c.outcome.value,
            "outcome_label": self.outcome(c.outcome),
            "strength": self.strength(c.strength),
            "required": self.strength(c.required_strength),
            "agreement": agreement,
            "contested": c.contested,
            "conflict": c.conflict,
            "unsubstantiated": c.unsubstantiated,
            "waiver": c.waiver.status if c.waiver else None,
            "evidence": self.evidence_links(c.evidence),
            "comments": comments,
            # A regulator profile's criterion: the regulation clauses it serves (from the snapshot).
            "cites": [f"{x.regulation} {x.ref}" for x in criterion.cites],
        }

    def domains(self) -> dict[str, Any]:
        if not self.assessed:
            return self.absent("nothing_assessed")
        practices = {p.id: p for p in self.a.practices}
        by_practice: dict[str, list[CriterionResult]] = defaultdict(list)
        for c in self.a.criteria:
            by_practice[c.practice].append(c)
        out = []
        for d in self.a.domains:
            text = self.domain_text[d.id]
            rows = []
            for pid in d.practices:
                p = practices[pid]
                rows.append(
                    {
                        "id": pid,
                        "anchor": anchor("pr", pid),
                        "title": self.practice_title(pid),
                        "description": self.practice_text[pid].description.get(self.lang),
                        "part": p.pipeline_part or "—",
                        "applicable": p.applicable,
                        "level": p.level,
                        "level_name": self.level_name(p.level),
                        "score": _score(p.score) or "—",
                        "coverage": _pct(p.coverage) or "—",
                        "counts": p.counts.model_dump(),
                        "blocking": [{"id": b, "anchor": anchor("cr", b)} for b in p.blocking],
                        "criteria": [self._criterion_row(c) for c in by_practice[pid]],
                    }
                )
            out.append(
                {
                    "id": d.id,
                    "anchor": anchor("dom", d.id),
                    "name": text.name.get(self.lang),
                    "description": text.description.get(self.lang),
                    "applicable": d.applicable,
                    "level": d.level,
                    "level_name": self.level_name(d.level),
                    "score": _score(d.score) or "—",
                    "coverage": _pct(d.coverage) or "—",
                    "practices": rows,
                }
            )
        return {"present": True, "items": out}

    def pipeline(self) -> dict[str, Any]:
        if not self.assessed:
            return self.absent("nothing_assessed")
        practices = {p.id: p for p in self.a.practices}
        groups, rows = [], []
        for part in self.a.pipeline_parts:
            members = [practices[pid] for pid in part.practices]
            groups.append(
                charts.BarGroup(
                    label=f"{part.part} {self.part_name(part.part)}",
                    bars=[charts.Bar(self.practice_title(p.id), p.score if p.applicable else None, p.level) for p in members],
                )
            )
            rows.append(
                {
                    "part": part.part,
                    "name": self.part_name(part.part),
                    "applicable": part.applicable,
                    "level": part.level,
                    "level_name": self.level_name(part.level),
                    "score": _score(part.score) or "—",
                    "practices": [{"id": p.id, "anchor": anchor("pr", p.id), "title": self.practice_title(p.id)} for p in members],
                }
            )
        unassigned = [p for p in self.a.practices if p.pipeline_part is None]
        chart = charts.grouped_bars(groups, title=self.t("pipeline.chart_title"), empty_label=self.t("pipeline.no_practice"))
        return {
            "present": True,
            "rows": rows,
            "chart": chart,
            "unassigned": [{"id": p.id, "anchor": anchor("pr", p.id), "title": self.practice_title(p.id)} for p in unassigned],
        }

    def roles(self) -> dict[str, Any]:
        rc = self.a.roles
        if not rc.roster_present:
            return self.absent("roster")
        raci: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for entry in self.rubric.pipeline_raci:
            for slot, letter in (("responsible", "R"), ("accountable", "A"), ("consulted", "C"), ("informed", "I")):
                for role in getattr(entry.raci, slot):
                    raci[role][entry.part].append(letter)
        holders = {h.role: h for h in rc.roles}
        unfilled = set(rc.unfilled_roles)
        matrix = []
        for role in self.rubric.roles:
            h = holders.get(role.id)
            matrix.append(
                {
                    "id": role.id,
                    "name": role.name.get(self.lang),
                    "cells": [
                        {"letters": "".join(raci[role.id].get(part, [])), "gap": role.id in unfilled and bool(set(raci[role.id].get(part, [])) & {"R", "A"})}
                        for part in PIPELINE_PARTS
                    ],
                    "holders": self.t("list_sep").join(h.holders) if h and h.holders else "—",
                    "part_time": self.t("list_sep").join(h.part_time) if h and h.part_time else "",
                    "unfilled": role.id in unfilled,
                }
            )
        sod = [
            {
                "rule": s.rule,
                "text": next((r.text.get(self.lang) for r in self.rubric.separation_of_duties if r.id == s.rule), s.rule),
                "roles": " / ".join(self.role(x) for x in s.roles),
                "severity": self.t(f"roles.severity_{s.severity}"),
                "status": s.status,
                "status_label": self.t(f"roles.sod_{s.status}"),
                "persons": self.t("list_sep").join(s.persons) or "—",
            }
            for s in rc.separation_of_duties
        ]
        return {
            "present": True,
            "parts": list(PIPELINE_PARTS),
            "matrix": matrix,
            "slot_coverage": _pct(rc.slot_coverage) or "—",
            "unfilled": [self.role(r) for r in rc.unfilled_roles],
            "single": [self.role(r) for r in rc.single_holder_roles],
            "multi": [{"person": p, "roles": self.t("list_sep").join(self.role(r) for r in roles)} for p, roles in rc.multi_role_persons.items()],
            "sod": sod,
            "sod_reason": None if sod else self.t("absent.sod"),
            "roster_conflicts": rc.roster_conflicts,
        }

    def mra(self) -> dict[str, Any]:
        if not self.a.runs:
            return self.absent("runs")
        # The practices devoted to model risk validation (their own clauses cite CASE.mra); criteria
        # elsewhere that merely mention it stay in their own practice.
        practices = {p.id for _, p in self.rubric.practices() if any(cl.startswith(MRA_PREFIX) for cl in p.clauses)}
        criteria = [c for c in self.a.criteria if c.practice in practices] or [
            c for c in self.a.criteria if any(cl.startswith(MRA_PREFIX) for cl in self.index[c.id][2].clauses)
        ]
        runs = [
            {
                "name": r.name,
                "run_id": r.run_id or "—",
                "ok": r.ok,
                "mra_steps": sorted(x for x in r.clauses_executed if x.startswith(MRA_PREFIX)),
                "steps": len(r.clauses_executed),
            }
            for r in self.a.runs
        ]
        sod = [s for s in self.a.roles.separation_of_duties if "model_risk_analyst" in s.roles]
        return {
            "present": True,
            "runs": runs,
            "criteria": [self._criterion_row(c) for c in criteria],
            "criteria_reason": None if criteria else self.t("absent.mra_criteria"),
            "excerpts": [
                {"anchor": anchor("ev", e.id), "id": e.id, "label": f"E{self.evidence_number[e.id]}", "excerpt": e.excerpt}
                for c in criteria
                for e in (self.evidence.get(x) for x in c.evidence)
                if e is not None and e.kind == "pipeline" and e.excerpt
            ],
            # No persons: nothing printed after the status (a lone dash read as a dangling one).
            "sod": [{"rule": s.rule, "status": s.status, "status_label": self.t(f"roles.sod_{s.status}"), "persons": self.t("list_sep").join(s.persons)} for s in sod],
        }

    def regulatory(self) -> dict[str, Any]:
        """Per regulation (assess --profile), each obligation's status and what it rests on."""
        coverage = self.a.regulatory
        if coverage is None or not coverage.regulations:
            return self.absent("regulatory")
        t, lang = self.t, self.lang
        regulations = []
        for reg in coverage.regulations:
            rows = []
            for ob in reg.obligations:
                criteria = sorted({c.id for b in ob.bases for c in b.criteria})
                practices = sorted({p.id for b in ob.bases for p in b.practices})
                rows.append({
                    "ref": ob.ref, "title": ob.title.get(lang), "status": ob.status,
                    "status_label": t(f"regulatory.status_{ob.status}"),
                    "strength": t(f"strength.{ob.strength.value}") if ob.strength else "—",
                    "basis": (criteria + practices)[:8], "more": max(0, len(criteria) + len(practices) - 8),
                })
            regulations.append({
                "identifier": reg.identifier, "title": reg.title.get(lang), "issuer": reg.issuer.get(lang), "year": reg.year,
                "legacy": reg.legacy, "counts": reg.counts.model_dump(), "rows": rows,
            })
        return {"present": True, "profiles": [f"{p.id} {p.version}" for p in coverage.profiles], "regulations": regulations}

    def exceptions(self) -> dict[str, Any]:
        a = self.a
        conflicts = [
            {
                "criterion": c.criterion,
                "anchor": anchor("cr", c.criterion),
                "text": self.criterion_text(c.criterion),
                "kind": self.t(f"exceptions.kind_{c.kind}"),
                "respondents": self.t("list_sep").join(c.respondents),
                "evidence": self.evidence_links(c.evidence),
            }
            for c in a.conflicts
        ]
        unsub = [
            {
                "criterion": cid,
                "anchor": anchor("cr", cid),
                "text": self.criterion_text(cid),
                "level": self.results[cid].level,
                "strength": self.strength(self.results[cid].strength),
                "required": self.strength(self.results[cid].required_strength),
            }
            for cid in a.unsubstantiated
            if cid in self.results
        ]
        contested = []
        for cid in a.contested:
            r = self.results.get(cid)
            if r is None:
                continue
            given = [x for x in r.answers if x.outcome is not None]
            tally = {o: sum(1 for x in given if x.outcome is o) for o in Outcome}
            dissent = [x.respondent for x in given if x.outcome is not r.claimed]
            contested.append(
                {
                    "criterion": cid,
                    "anchor": anchor("cr", cid),
                    "text": self.criterion_text(cid),
                    "answers": " · ".join(f"{self.outcome(o)} {n}" for o, n in tally.items() if n),
                    "dissent": self.t("list_sep").join(dissent),
                }
            )
        waivers = [
            {
                "criterion": w.criterion,
                "anchor": anchor("cr", w.criterion) if w.criterion in self.results else None,
                "justification": w.justification,
                "approved_by": w.approved_by,
                "expires": w.expires,
                "status": w.status,
                "status_label": self.t(f"exceptions.waiver_{w.status}"),
            }
            for w in a.waivers
        ]
        why = "not_assessed_short" if not self.assessed else None
        return {
            "conflicts": conflicts,
            "conflicts_reason": None if conflicts else self.t(f"absent.{why or 'conflicts'}"),
            "unsubstantiated": unsub,
            "unsubstantiated_reason": None if unsub else self.t(f"absent.{why or 'unsubstantiated'}"),
            "contested": contested,
            "contested_reason": None if contested else self.t(f"absent.{why or 'contested'}"),
            "waivers": waivers,
            "waivers_reason": None if waivers else self.t("absent.waivers"),
        }

    def gaps(self) -> dict[str, Any]:
        a = self.a
        if not self.assessed:
            return self.absent("nothing_assessed")
        if a.overall.level >= 5:
            return self.absent("top_level")
        gains = potential_gains(a)
        target = a.overall.level + 1
        practices = {p.id: p for p in a.practices}
        phases: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for c in a.criteria:
            p = practices[c.practice]
            if not c.applicable or c.outcome in PASSING or c.level > target or p.level >= target:
                continue
            phases[c.level].append(self._gap_row(c.id, c.level, gains.get(c.id)))
        roadmap = []
        for level in sorted(phases):
            items = sorted(phases[level], key=lambda r: (-float(r["gain"] or 0), r["id"]))
            roadmap.append({"level": level, "level_name": self.level_name(level), "items": items})
        blocking = [self._gap_row(g.criterion, g.target_level, g.gain) | {"completes": g.completes_level} for g in a.gaps]
        return {
            "present": True,
            "target": target,
            "target_name": self.level_name(target),
            "current_name": self.level_name(a.overall.level),
            "blocking": blocking,
            "roadmap": roadmap,
            "total": sum(len(p["items"]) for p in roadmap),
        }

    def trend(self) -> dict[str, Any]:
        if self.previous is None:
            return self.absent("previous")
        d: AssessmentDiff = diff_assessments(self.previous, self.a)
        def level_row(c: Any, name: str) -> dict[str, Any]:
            return {
                "name": name,
                "old": "—" if c.old_level is None else f"L{c.old_level}",
                "new": "—" if c.new_level is None else f"L{c.new_level}",
                "old_score": _score(c.old_score) or "—",
                "new_score": _score(c.new_score) or "—",
                "delta": "—" if c.score_delta is None else f"{c.score_delta:+.1f}",
                "direction": c.direction,
                "direction_label": self.t(f"trend.{c.direction}"),
            }
        base = {
            "present": True,
            "comparable": d.comparable,
            "differences": d.rubric_differences,
            "old_at": d.old_assessed_at,
            "old_id": d.old_id,
            "old_rubric": f"{d.old_rubric.id} {d.old_rubric.version} ({d.old_rubric.digest[:12]})",
            "new_rubric": f"{d.new_rubric.id} {d.new_rubric.version} ({d.new_rubric.digest[:12]})",
            "overall": level_row(d.overall, self.t("trend.overall")),
        }
        if not d.comparable:
            return base
        crit = lambda c: {  # noqa: E731 - tiny local formatter
            "id": c.id,
            "anchor": anchor("cr", c.id),
            "text": self.criterion_text(c.id),
            "old": self.outcome(c.old_outcome),
            "new": self.outcome(c.new_outcome),
            "old_strength": self.t(f"strength.{c.old_strength}") if c.old_strength else "—",
            "new_strength": self.t(f"strength.{c.new_strength}") if c.new_strength else "—",
        }
        return base | {
            "domains": [level_row(c, self.domain_name(c.id)) for c in d.domains],
            "practices": [level_row(c, self.practice_title(c.id)) for c in d.practices if c.direction != "unchanged"],
            "improved": [crit(c) for c in d.criteria_by("improved")],
            "regressed": [crit(c) for c in d.criteria_by("regressed")],
            "changed": [crit(c) for c in d.criteria_by("changed")],
        }

    def appendix(self) -> dict[str, Any]:
        a = self.a
        evidence = [
            {
                "id": e.id,
                "label": f"E{self.evidence_number[e.id]}",
                "anchor": anchor("ev", e.id),
                "kind": self.t(f"evidence_kind.{e.kind.value}"),
                "source": e.source,
                "locator": e.locator,
                "sha256": e.sha256 or "—",
                "strength": self.strength(e.strength),
                "says": self.t(f"says.{e.says}"),
                "criteria": self.t("list_sep").join(e.criteria),
                "excerpt": e.excerpt,
                "collected_at": e.collected_at or "—",
                "expires_at": e.expires_at,
            }
            for e in a.evidence
        ]
        runs = [
            {
                "name": r.name,
                "run_id": r.run_id or "—",
                "ok": r.ok,
                "status": self.t("appendix.trail_ok" if r.ok else "appendix.trail_failed"),
                "problems": r.problems,
                "events": r.event_count,
                "head_hash": r.head_hash or "—",
                "merkle_root": r.merkle_root or "—",
                "signature": r.signature,
            }
            for r in a.runs
        ]
        repos = [r.model_dump() for r in a.repos]
        return {
            "evidence": evidence,
            "evidence_reason": None if evidence else self.t("absent.evidence"),
            "runs": runs,
            "runs_reason": None if runs else self.t("absent.runs"),
            "repos": repos,
            "warnings": list(a.warnings),
        }

    def build(self) -> dict[str, Any]:
        t = self.t
        return {
            "lang": self.lang,
            "html_lang": "zh-CN" if self.lang == "zh" else "en",
            "title": t("title"),
            "meta": self.meta(),
            "toc": [{"anchor": f"sec-{s}", "title": t(f"sections.{s}")} for s in SECTIONS],
            "summary": self.summary(),
            "methodology": self.methodology(),
            "domains": self.domains(),
            "pipeline": self.pipeline(),
            "roles": self.roles(),
            "mra": self.mra(),
            "regulatory": self.regulatory(),
            "exceptions": self.exceptions(),
            "gaps": self.gaps(),
            "trend": self.trend(),
            "appendix": self.appendix(),
        }


def build_context(
    assessment: Assessment, t: Messages, *, previous: Assessment | None = None, report_digest: str
) -> dict[str, Any]:
    return ContextBuilder(assessment, t, previous=previous, report_digest=report_digest).build()


__all__ = ["SECTIONS", "anchor", "build_context", "potential_gains"]
