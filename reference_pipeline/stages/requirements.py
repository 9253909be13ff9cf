"""PA.1 requirements: validate the requirements spec and turn it into the project's plan and rules.

- PA.1.step1 business need -> technical problem; feasibility, necessity and risk assessment (business).
- PA.1.step2 architecture and technology choice, with the versions actually installed (ml_architect).
- PA.1.step3 data needed and processing rules, written where data engineering reads them (data_engineer).
- PA.1.step4 the code that realises the plan, pinned by digest (software_engineer).
- PA.1.step5 trigger data engineering and experiments (project_manager).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from mlops_audit.util.jsonio import atomic_write_bytes

from reference_pipeline.code_digest import code_manifest
from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.data.sources import ScenarioData
from reference_pipeline.requirements_spec import RequirementsSpec, load_requirements

STAGE = "requirements"


@dataclass
class RequirementsResult:
    spec: RequirementsSpec
    spec_path: str  # copy inside the run folder
    rules_path: str


def run(ctx: RunContext, data: ScenarioData) -> RequirementsResult:
    source = ctx.config.resolve(ctx.config.requirements)
    spec, _ = load_requirements(source)
    spec_path = "reports/requirements.yaml"
    atomic_write_bytes(ctx.path(spec_path), Path(source).read_bytes())
    config_path = ctx.write_json("reports/config.json", ctx.config.model_dump(mode="json"))

    # PA.1.step1: the problem must be the one the data can answer, and the risks must be assessed.
    problems = []
    if spec.problem.target != data.target:
        problems.append(f"spec target {spec.problem.target!r} differs from the data's target {data.target!r}")
    if str(spec.problem.positive_label) != str(data.positive_label):
        problems.append(f"spec positive_label {spec.problem.positive_label!r} differs from the data's {data.positive_label!r}")
    banned = sorted(set(spec.risk_assessment.prohibited_features) & {str(c) for c in data.batch.columns})
    if banned:
        problems.append(f"the data holds prohibited features {banned}; remove them before modelling")
    ctx.record(
        "PA.1.step1", "frame_problem_and_assess_risk", "business", STAGE,
        outputs=[spec_path, config_path],
        params={
            "goal": spec.business_goal.statement,
            "problem": spec.problem.model_dump(),
            "risk_tier": spec.risk_assessment.tier,
            "risks": [r.id for r in spec.risk_assessment.risks],
            "success_metrics": [m.describe() for m in spec.success_metrics],
        },
        decision={"verdict": "feasible" if not problems else "not_feasible", "problems": problems},
    )
    if problems:
        raise StageFailed(f"{source}: requirements do not fit the data: {'; '.join(problems)}")

    # PA.1.step2: architecture with the technology versions that will actually run.
    versions = {}
    for package in ("scikit-learn", "numpy", "pandas", "scipy", "skops"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    design_path = ctx.write_json(
        "reports/design.json",
        {"components": spec.architecture.components, "technology": spec.architecture.technology, "versions": versions},
    )
    ctx.record(
        "PA.1.step2", "design_architecture", "ml_architect", STAGE,
        inputs=[ctx.ref(spec_path)],
        outputs=[design_path],
        params={"components": len(spec.architecture.components), "versions": versions},
    )

    # PA.1.step3: data and processing rules, handed to data engineering as a file.
    rules_path = ctx.write_json("data/rules.json", spec.data_rules.model_dump(mode="json"))
    ctx.record(
        "PA.1.step3", "declare_data_and_processing_rules", "data_engineer", STAGE,
        inputs=[ctx.ref(spec_path)],
        outputs=[rules_path],
        params={
            "labelling": spec.data_rules.labelling.definition,
            "label_delay_days": spec.data_rules.labelling.label_delay_days,
            "feature_rules": spec.data_rules.features.model_dump(),
        },
    )

    # PA.1.step4: the algorithms, data scripts and serving code, pinned by digest.
    code = code_manifest()
    code_path = ctx.write_json("reports/code_manifest.json", code)
    ctx.record(
        "PA.1.step4", "pin_pipeline_code", "software_engineer", STAGE,
        outputs=[code_path],
        params={"modules": len(code["files"])},
        decision={"code_digest": code["digest"]},
    )

    # PA.1.step5: the plan triggers data engineering and experiments.
    ctx.record(
        "PA.1.step5", "trigger_data_and_experiment_pipelines", "project_manager", STAGE,
        inputs=[ctx.ref(rules_path), ctx.ref(design_path)],
        decision={"trigger": ["PA.2", "PA.3"]},
    )
    return RequirementsResult(spec=spec, spec_path=spec_path, rules_path=rules_path)
