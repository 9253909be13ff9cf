"""Orchestration: a multi-step ML pipeline defined for an orchestrator."""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.detectors._python import describe, locations, matching
from mlops_audit.evidence.repo.detectors.deployment import manifest_documents
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, at, detector

_NEEDLES = (
    "airflow", "kfp", "tfx", "sagemaker.workflow", "PipelineJob", "azure.ai.ml", "azureml.pipeline", "prefect", "dagster", "zenml",
    "metaflow", "FlowSpec", "kedro", "flytekit", "luigi",
)


def _orchestrated(summary: PythonSummary) -> list[Call]:
    found: list[Call] = []
    found += summary.calls_to("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG")
    found += summary.decorated_by("airflow.decorators.dag", "airflow.sdk.dag")
    found += summary.decorated_by("kfp.dsl.pipeline", "kfp.v2.dsl.pipeline", "kfp.components.pipeline")
    found += summary.calls_to("tfx.orchestration.pipeline.Pipeline", "tfx.v1.dsl.Pipeline", "tfx.dsl.Pipeline")
    found += summary.calls_to("sagemaker.workflow.pipeline.Pipeline")
    found += summary.calls_to("azureml.pipeline.core.Pipeline", "azureml.pipeline.core.pipeline.Pipeline")
    found += summary.decorated_by("azure.ai.ml.dsl.pipeline")
    if summary.decorated_by("prefect.task") and summary.decorated_by("prefect.flow"):
        found += summary.decorated_by("prefect.flow")
    if len(summary.decorated_by("dagster.asset", "dagster.op", "dagster.multi_asset")) >= 2:
        found += summary.decorated_by("dagster.asset", "dagster.op", "dagster.multi_asset")[:1]
    found += summary.calls_to("dagster.Definitions")
    found += summary.decorated_by("zenml.pipeline", "zenml.pipelines.pipeline")
    if summary.decorated_by("flytekit.workflow") and summary.decorated_by("flytekit.task"):
        found += summary.decorated_by("flytekit.workflow")
    if summary.calls_to("kedro.pipeline.Pipeline", "kedro.pipeline.pipeline") and len(summary.calls_to("kedro.pipeline.node")) >= 2:
        found += summary.calls_to("kedro.pipeline.Pipeline", "kedro.pipeline.pipeline")
    for name, bases, line, methods in summary.classes:
        if "metaflow.FlowSpec" in bases and len(summary.decorated_by("metaflow.step")) >= 2:
            found.append(Call(f"{name}(metaflow.FlowSpec)", line))
        if "luigi.Task" in bases and "requires" in methods:
            found.append(Call(f"{name}(luigi.Task)", line))
    return found


def _dvc_pipelines(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.named("dvc.yaml"):
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if isinstance(stages, dict) and sum(1 for s in stages.values() if isinstance(s, dict) and (s.get("cmd") or s.get("foreach"))) >= 2:
            pos = doc.locate(("stages",)) if doc else None
            hits.append(at(path, pos[0] if pos else None))
    return hits


# Argo Workflow kinds, `pipelineInfo` of a compiled KFP spec, `type: pipeline` of an Azure ML job.
_WORKFLOW_TEXT = ("workflow", "pipeline")
_WORKFLOW_KIND = re.compile(r"kind[\"']?\s*:\s*[\"']?(Workflow|WorkflowTemplate)\b|type[\"']?\s*:\s*[\"']?pipeline\b")


def _may_define_workflow(path: str, text: str) -> bool:
    return "pipelineInfo" in text or bool(_WORKFLOW_KIND.search(text))


def _workflow_manifests(repo: RepoIndex, limit: int = MAX_LOCATIONS) -> tuple[list[Location], bool]:
    """Up to `limit` workflow definitions, and whether there may be more (compiled pipeline specs
    are often hundreds of KB: parsing stops once there are as many as the finding can show)."""
    hits: list[Location] = []
    if limit <= 0:
        return hits, True
    for path, doc in manifest_documents(repo, _WORKFLOW_TEXT, _may_define_workflow):
        if len(hits) >= limit:
            return hits, True
        data = doc.data
        if data.get("kind") in ("Workflow", "WorkflowTemplate") and "argoproj.io" in str(data.get("apiVersion")):
            templates = (data.get("spec") or {}).get("templates") if isinstance(data.get("spec"), dict) else None
            if isinstance(templates, list) and any(isinstance(t, dict) and (t.get("dag") or t.get("steps")) for t in templates):
                pos = doc.locate(("kind",))
                hits.append(at(path, pos[0] if pos else None))
        elif isinstance(data.get("pipelineInfo"), dict) and isinstance(data.get("root"), dict):
            hits.append(at(path, 1))  # compiled Kubeflow Pipelines v2 spec
        elif data.get("type") == "pipeline" and isinstance(data.get("jobs"), dict) and len(data["jobs"]) >= 2:
            pos = doc.locate(("jobs",))
            hits.append(at(path, pos[0] if pos else None))  # Azure ML pipeline job
    return hits, False


@detector(
    id="orchestrates_pipeline",
    title="Does the repo define a multi-step ML pipeline on an orchestrator?",
    kind=Kind.pipeline_orchestration,
    remediation=(
        "Define data preparation, training, evaluation and registration as steps of one pipeline on an "
        "orchestrator (DVC stages, Airflow, Kubeflow/TFX, SageMaker/Vertex/Azure ML pipelines, Prefect, Dagster, ZenML, Metaflow)."
    ),
    needles=_NEEDLES,
    words=_WORKFLOW_TEXT,
)
def orchestrates_pipeline(repo: RepoIndex) -> Observation:
    hits = matching(repo, _NEEDLES, _orchestrated)
    shown = locations(hits)
    dvc = _dvc_pipelines(repo)
    # Definition files fill the places the code leaves in the finding; none are parsed beyond that.
    workflows, more = _workflow_manifests(repo, MAX_LOCATIONS - len(shown) - len(dvc))
    configs = dvc + workflows
    if hits or configs:
        parts = [f"pipeline code: {describe(hits)}"] if hits else []
        if configs:
            count = f"at least {len(configs)}" if more else str(len(configs))
            parts.append(f"{count} pipeline definition file(s) (DVC stages, Argo/Kubeflow, Azure ML)")
        return Observation.passed("; ".join(parts), shown + configs)
    return Observation.failed("no orchestrated multi-step pipeline found (DVC stages, Airflow, Kubeflow, TFX, SageMaker/Vertex/Azure ML pipelines, Prefect, Dagster, ZenML, Metaflow, Kedro, Flyte)")
