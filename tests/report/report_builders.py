"""Assessments to render in tests and benchmarks: RICH (every section has content) and SPARSE.

Built through the real engine from any rubric, so the same builder serves the small fixture
rubric (fast tests) and the bundled ~200-criterion rubric (benchmark, visual check). Hostile
strings are planted where scanned repositories and respondents could put them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RosterEntry
from mlops_audit.evidence.answers import RubricRef as AnswerRubricRef
from mlops_audit.evidence.model import Evidence, Waiver
from mlops_audit.result.model import Assessment, InputRef, RepoRecord, RunRecord
from mlops_audit import paths
from mlops_audit.rubric.loader import LoadedRubric, _read_rubric_documents, load_catalogue, rubric_digest
from mlops_audit.rubric.model import Question, QuestionType, Rubric
from mlops_audit.scoring.engine import AssessmentInputs, assess

FIXTURE_RUBRIC = Path(__file__).resolve().parents[1] / "fixtures" / "rubric_small.yaml"
ASSESSED_AT = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)
PREVIOUS_AT = datetime(2026, 5, 31, 9, 0, 0, tzinfo=UTC)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=file:///etc/passwd>"
CSS_URL = "url(http://x.invalid/leak.png)"
JS_LINK = '<a href="javascript:alert(1)">click</a>'
HOSTILE = f"{SCRIPT} {IMG} {CSS_URL} {JS_LINK}"
HEX_A = "a" * 64
HEX_B = "b" * 64


def _load_model_only(path: Path) -> LoadedRubric:
    """Validate the rubric model without the detector cross-check.

    Rendering needs a valid Rubric, not the detector registry; this keeps report tests independent
    of detector work in progress. The rubric's own tests run the full `load_rubric` checks.
    """
    data, _ = _read_rubric_documents(path)
    rubric = Rubric.model_validate(data)
    return LoadedRubric(rubric=rubric, path=path, digest=rubric_digest(rubric), catalogue=load_catalogue())


def small_rubric() -> LoadedRubric:
    return _load_model_only(FIXTURE_RUBRIC)


def bundled_rubric_or_none() -> LoadedRubric | None:
    """The bundled rubric when all its domain files are present and valid; else None."""
    try:
        return _load_model_only(paths.default_rubric_path())
    except Exception:  # noqa: BLE001 - domain files still being written; callers fall back to the fixture
        return None


def value_for(question: Question, want: str):
    """An answer value that the question maps to `want` (met | partial | unmet | n/a | unknown)."""
    if want in ("n/a", "unknown"):
        return want
    t = question.type
    if t is QuestionType.yes_no:
        return {"met": "yes", "partial": "partial", "unmet": "no"}[want]
    if t is QuestionType.choice:
        for choice in question.choices or []:
            if choice.outcome == want:
                return choice.value
        return "unknown"
    if t is QuestionType.scale:
        if want == "met":
            return question.scale_max
        if want == "partial":
            return int(question.partial_at) if question.partial_at is not None else "unknown"
        return question.scale_min
    # number
    met_at = float(question.met_at)
    higher = question.direction == "higher_is_better"
    if want == "met":
        return met_at
    if want == "partial":
        return float(question.partial_at) if question.partial_at is not None else "unknown"
    return met_at - abs(met_at) - 1000 if higher else met_at + abs(met_at) + 1000


RESPONDENTS = [
    ("r-ds-01", ["data_scientist"], "models"),
    ("r-de-01", ["data_engineer"], "data"),
    ("r-pm-01", ["project_manager", "ml_architect"], "platform"),
    ("r-ops-01", ["ops_engineer", "mlops_engineer"], "platform"),
    ("r-mra-01", ["model_risk_analyst"], "risk"),
]
ROSTER = [
    # p-alice builds models and validates them: breaks the validator-is-not-developer rule.
    RosterEntry(person="p-alice", roles=["data_scientist", "model_risk_analyst"], dedicated=True, team="models"),
    RosterEntry(person="p-bob", roles=["data_engineer"], dedicated=True, team="data"),
    RosterEntry(person="p-carol", roles=["project_manager", "ml_architect"], dedicated=False, team="platform"),
    RosterEntry(person="p-dan", roles=["ops_engineer", "mlops_engineer"], dedicated=True, team="platform"),
    RosterEntry(person="p-erin", roles=["software_engineer"], dedicated=True, team="apps"),
]


def _plan(level: int, i: int, variant: str) -> list[str]:
    """What each of the five respondents answers for the i-th criterion at this level."""
    if variant == "previous":  # six months earlier: a level lower everywhere
        level = min(5, level + 1)
    if level == 1:
        return ["met"] * 5
    if level == 2:
        if i % 4 == 1:  # contested: one routed respondent disagrees
            return ["met", "met", "unmet", "met", "unknown"]
        return ["met", "met", "met", "met", "unknown"]
    if level == 3:
        if i % 4 == 3:
            return ["partial", "unmet", "partial", "unmet", "unknown"]
        return ["met", "met", "met", "met", "unknown"]
    if level == 4:
        return ["partial"] * 4 + ["unknown"] if i % 3 == 0 else ["unmet"] * 4 + ["unknown"]
    return ["unknown"] * 5


def rich_assessment(loaded: LoadedRubric | None = None, *, variant: str = "current", hostile: bool = True) -> Assessment:
    loaded = loaded or small_rubric()
    rubric = loaded.rubric
    criteria = [c for _, _, c in rubric.criteria()]
    answers: dict[str, list[Answer]] = {rid: [] for rid, _, _ in RESPONDENTS}
    l2 = [c for c in criteria if c.level == 2]
    waived_target = l2[-1].id if l2 else None  # everybody says no, and a current waiver applies
    expired_target = l2[-2].id if len(l2) > 1 else None  # everybody says no, the waiver has expired
    na_target = next((c.id for c in criteria if c.level == 4), None)
    for i, c in enumerate(criteria):
        plan = _plan(c.level, i, variant)
        if c.id in (waived_target, expired_target):
            plan = ["unmet"] * 5
        if c.id == na_target:
            plan = ["n/a"] * 5
        for (rid, _, _), want in zip(RESPONDENTS, plan, strict=True):
            comment = None
            if rid == "r-ds-01" and i == 0 and hostile:
                comment = f"see {HOSTILE}"
            elif rid == "r-pm-01" and i % 7 == 0:
                comment = "Documented in the project wiki; review pending." if i % 2 else "已在项目知识库中记录。"
            answers[rid].append(Answer(criterion=c.id, value=value_for(c.question, want), comment=comment))
    org = Organisation(
        name=("示例银行 Example Bank " + SCRIPT) if hostile else "示例银行 Example Bank",
        scope="零售信贷风控模型 (retail credit scoring)",
    )
    ref = AnswerRubricRef(id=rubric.id, version=rubric.version, digest=loaded.digest)
    files = []
    for n, (rid, roles, team) in enumerate(RESPONDENTS):
        source = f"answers/{rid}.yaml" if not (hostile and n == 0) else f"answers/{IMG}.yaml"
        files.append(
            (
                source,
                AnswerFile(
                    rubric=ref,
                    organisation=org,
                    respondent=Respondent(id=rid, roles=roles, team=team),
                    roster=ROSTER,
                    answers=answers[rid],
                ),
            )
        )

    evidence: list[Evidence] = []
    run_id = "run-2026-11-30" if variant == "current" else "run-2026-05-31"
    # As the collector reports them: one record per detector, serving every criterion naming it.
    detectors = sorted({d for c in criteria for d in c.detectors})
    for k, det in enumerate(detectors):
        says = "met" if k % 3 != 2 else "unmet"
        locator = f"src/pipeline/{det}.py:{10 + k}"
        excerpt = f"{det}: {'found' if says == 'met' else 'nothing found'}"
        if hostile and k == 0:
            locator = f"src/{SCRIPT}.py:1"
            excerpt = HOSTILE
        evidence.append(
            Evidence(
                id=f"repo:{det}",
                kind="repo",
                source=det,
                locator=locator,
                sha256=HEX_A,
                excerpt=excerpt,
                collected_at="2026-11-30T08:55:00Z",
                criteria=[c.id for c in criteria if det in c.detectors],
                strength="evidenced",
                says=says,
            )
        )
    # And one per verified pipeline step, serving every criterion naming that step.
    steps = sorted({s for c in criteria for s in c.pipeline_steps})
    for k, step in enumerate(steps):
        if variant == "previous" and k % 2:
            continue
        evidence.append(
            Evidence(
                id=f"run:{run_id}:{step}",
                kind="pipeline",
                source=run_id,
                locator=f"{run_id}#{5 + k}",
                sha256=HEX_B,
                excerpt=f"step {step} completed",
                collected_at="2026-11-30T08:50:00Z",
                criteria=[c.id for c in criteria if step in c.pipeline_steps],
                strength="verified",
                says="met",
            )
        )
    mra = [c for c in criteria if any(cl.startswith("CASE.mra") for cl in c.clauses)]
    if mra:
        evidence.append(
            Evidence(
                id=f"run:{run_id}:mra-outcome",
                kind="pipeline",
                source=run_id,
                locator=f"{run_id}#40",
                sha256=HEX_B,
                excerpt="outcome validation: AUC 0.812, KS 0.451, Gini 0.624, PSI 0.041 (stable)",
                collected_at="2026-11-30T08:50:00Z",
                criteria=[c.id for c in mra[:3]],
                strength="verified",
                says="met",
            )
        )
    waivers = []
    if waived_target:
        waivers.append(
            Waiver(criterion=waived_target, justification="Legacy system, replaced in Q2 " + (SCRIPT if hostile else ""), approved_by="CRO", expires="2099-12-31")
        )
    if expired_target:
        waivers.append(Waiver(criterion=expired_target, justification="Temporary exception during migration", approved_by="CIO", expires="2020-01-31"))
    waivers.append(Waiver(criterion="NO.SUCH.criterion", justification="typo in the waiver file", approved_by="CIO", expires="2099-01-01"))
    runs = [
        RunRecord(
            name=f"runs/{run_id}" + (f"/{IMG}" if hostile else ""),
            run_id=run_id,
            ok=True,
            problems=[],
            event_count=42,
            head_hash=HEX_A,
            merkle_root=HEX_B,
            signature="ed25519 valid (key 3f2a9c)",
            clauses_executed=sorted({s for c in criteria for s in c.pipeline_steps} | {"CASE.mra.1", "CASE.mra.3"}),
        )
    ]
    repos = [RepoRecord(name="credit-model-repo", findings=len(detectors), passed=2, failed=1, not_applicable=0, errors=0)]
    inputs = [InputRef(kind="answers", name=name, sha256=HEX_A) for name, _ in files]
    inputs += [InputRef(kind="repo", name="credit-model-repo"), InputRef(kind="run", name=f"runs/{run_id}", sha256=HEX_B)]
    assessment = assess(
        AssessmentInputs(
            rubric=loaded,
            answer_files=files,
            evidence=evidence,
            waivers=waivers,
            runs=runs,
            repos=repos,
            inputs=inputs,
            assessor="张三 (Zhang San), Example Consulting",
        ),
        assessed_at=ASSESSED_AT if variant == "current" else PREVIOUS_AT,
    )
    if loaded.rubric.id != "caict-mlops-2023":
        return assessment  # the small fixture rubric: no profile crosswalks onto it
    # A regulator profile's obligations through its crosswalk (the regulatory-coverage section).
    from mlops_audit.rubric.profiles import bundled_profile
    from mlops_audit.scoring.regulatory import regulatory_coverage

    return assessment.model_copy(update={"regulatory": regulatory_coverage(assessment, [bundled_profile("cn-finance")])})


def sparse_assessment(loaded: LoadedRubric | None = None) -> Assessment:
    """No answers, no evidence, no runs, no roster: nothing assessed."""
    loaded = loaded or small_rubric()
    return assess(AssessmentInputs(rubric=loaded), assessed_at=ASSESSED_AT)
