"""Operations: model/data monitoring and retraining triggered by schedule, event or drift."""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.ciconfig import AUTOMATIC_EVENTS, workflow_triggers
from mlops_audit.evidence.repo.detectors._python import describe, locations, matching
from mlops_audit.evidence.repo.detectors.deployment import manifest_documents
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import Observation, at, detector

_MONITOR_NEEDLES = (
    "evidently", "whylogs", "alibi_detect", "nannyml", "model_monitor", "ModelMonitor", "DataCaptureConfig", "frouros",
    "ModelDeploymentMonitoringJob", "model_monitoring", "MonitorDefinition", "MonitorSchedule", "deepchecks",
)
_MONITOR_CALLS = (
    "evidently", "whylogs.log", "whylogs.api", "alibi_detect.cd", "nannyml", "frouros.detectors",
    "sagemaker.model_monitor", "google.cloud.aiplatform.ModelDeploymentMonitoringJob",
    "google.cloud.aiplatform.model_monitoring", "azure.ai.ml.entities.MonitorDefinition",
    "azure.ai.ml.entities.MonitorSchedule", "deepchecks.tabular.suites.train_test_validation",
    "deepchecks.tabular.checks.FeatureDrift", "deepchecks.tabular.checks.TrainTestFeatureDrift",
)


def _alert_rules(repo: RepoIndex) -> list[Location]:
    hits = []
    for path, doc in manifest_documents(repo):
        data = doc.data
        groups = data.get("groups") if data.get("kind") != "PrometheusRule" else (data.get("spec") or {}).get("groups")
        if isinstance(groups, list):
            for group in groups:
                if isinstance(group, dict) and any(isinstance(r, dict) and r.get("alert") and r.get("expr") for r in group.get("rules") or []):
                    pos = doc.locate(("groups",)) or doc.locate(("spec",))
                    hits.append(at(path, pos[0] if pos else None))
                    break
    return hits


@detector(
    id="monitors_model",
    title="Does the repo monitor the model or its data in production (drift, quality, alerts)?",
    kind=Kind.monitoring,
    remediation=(
        "Monitor the deployed model: compute data and prediction drift and quality (Evidently, whylogs, "
        "alibi-detect, SageMaker Model Monitor, Vertex model monitoring) on logged predictions and alert on thresholds."
    ),
    needles=_MONITOR_NEEDLES + ("prometheus_client",),
)
def monitors_model(repo: RepoIndex) -> Observation:
    hits = matching(repo, _MONITOR_NEEDLES, lambda s: s.calls_to(*_MONITOR_CALLS))
    if hits:
        return Observation.passed(f"monitoring code: {describe(hits)}", locations(hits))
    alerts = _alert_rules(repo)
    metrics = matching(repo, ("prometheus_client",), lambda s: s.calls_to("prometheus_client.Counter", "prometheus_client.Histogram", "prometheus_client.Gauge", "prometheus_client.Summary"))
    if alerts and metrics:
        return Observation.passed(
            "prediction metrics exported (prometheus_client) with alerting rules", locations(metrics) + alerts, confidence=Confidence.medium
        )
    if metrics:
        return Observation.failed("serving metrics are exported but no drift detection or alerting rules were found", locations(metrics))
    return Observation.failed("no model or data monitoring found (drift detection, monitoring jobs, prediction metrics with alerts)")


_TRAINING = re.compile(r"\b(re)?train(ing)?\b|train\.py|train_|\bfit\b|dvc (repro|exp run)|retrain", re.IGNORECASE)
_RETRAIN_NEEDLES = (
    "schedule_interval", "schedule=", "schedules=", "cron", "interval=", "rrule=", "create_recurring_run",
    "PipelineJobSchedule", "create_schedule", "ScheduleDefinition", "dagster", "CronTrigger", "JobSchedule",
    "zenml", "metaflow",
)


def _scheduled_workflows(repo: RepoIndex) -> list[tuple[str, Location]]:
    found = []
    for path in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        doc = repo.yaml(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        events, _, line = workflow_triggers(doc)
        triggers = events & (AUTOMATIC_EVENTS - {"push", "pull_request", "pull_request_target", "merge_group", "release"})
        if not triggers:
            continue
        commands = []
        for job in (doc.data.get("jobs") or {}).values() if isinstance(doc.data.get("jobs"), dict) else []:
            for step in job.get("steps") or [] if isinstance(job, dict) else []:
                if isinstance(step, dict):
                    commands += [str(step.get("run") or ""), str(step.get("name") or ""), str(step.get("uses") or "")]
        if any(_TRAINING.search(c) for c in commands):
            found.append((f"GitHub Actions on {', '.join(sorted(triggers))}", at(path, line)))
    for path in repo.named(".gitlab-ci.yml"):
        doc = repo.yaml(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        for name, job in doc.data.items():
            if not isinstance(job, dict):
                continue
            rules = str(job.get("rules") or "") + str(job.get("only") or "")
            if ("schedule" in rules or "pipeline" in rules and "trigger" in rules) and _TRAINING.search(str(job.get("script") or "")):
                pos = doc.locate((name,))
                found.append(("GitLab scheduled job", at(path, pos[0] if pos else None)))
    return found


def _scheduled_manifests(repo: RepoIndex) -> list[tuple[str, Location]]:
    found = []
    for path, doc in manifest_documents(repo):
        data = doc.data
        kind = data.get("kind")
        if kind in ("CronJob", "CronWorkflow") and _TRAINING.search(str(data.get("spec"))):
            pos = doc.locate(("kind",))
            found.append((f"Kubernetes {kind}", at(path, pos[0] if pos else None)))
        schema = str(data.get("$schema") or "")
        if "schedule" in schema.lower() and isinstance(data.get("trigger"), dict) and data.get("create_job"):
            pos = doc.locate(("trigger",))
            found.append(("Azure ML schedule", at(path, pos[0] if pos else None)))
    return found


def _scheduled_code(summary: PythonSummary) -> list[Call]:
    found: list[Call] = []
    found += summary.calls_named("create_recurring_run", "create_schedule")
    found += summary.calls_to("google.cloud.aiplatform.PipelineJobSchedule", "zenml.config.schedule.Schedule", "dagster.ScheduleDefinition", "azure.ai.ml.entities.JobSchedule")
    found += summary.decorated_by("dagster.schedule", "dagster.sensor", "metaflow.schedule")
    # Airflow DAGs with a real schedule (not None / "@once") that train.
    for call in summary.calls_to("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG", "airflow.decorators.dag"):
        schedule = call.keyword("schedule_interval") if call.has_keyword("schedule_interval") else call.keyword("schedule")
        if schedule not in (None, "@once") and (call.has_keyword("schedule") or call.has_keyword("schedule_interval")):
            found.append(call)
    for dec in summary.decorated_by("airflow.decorators.dag"):
        schedule = dec.keyword("schedule") if dec.has_keyword("schedule") else dec.keyword("schedule_interval")
        if schedule not in (None, "@once") and (dec.has_keyword("schedule") or dec.has_keyword("schedule_interval")):
            found.append(dec)
    if summary.imports_module("prefect"):
        for call in summary.calls_named("serve", "deploy", "to_deployment", "build_from_flow", "Deployment", "DeploymentSpec"):
            if any(call.has_keyword(k) for k in ("cron", "interval", "rrule", "schedule", "schedules")):
                found.append(call)
    return found


def _code_trains(repo: RepoIndex, summary: PythonSummary) -> bool:
    if _TRAINING.search(summary.path):
        return True
    if any(_TRAINING.search(c.name.rsplit(".", 1)[-1]) for c in summary.calls):
        return True
    text = repo.text(summary.path) if not summary.is_notebook else None
    return bool(text and re.search(r"\btrain", text))


@detector(
    id="triggers_retraining",
    title="Is training started automatically by a schedule, an event or drift (not only by a code push)?",
    kind=Kind.retraining_trigger,
    remediation=(
        "Trigger retraining without a person: a scheduled pipeline run (Airflow schedule, Kubeflow recurring run, "
        "Vertex/SageMaker pipeline schedule, CI `on: schedule`) or an event/drift alert that starts the training pipeline."
    ),
    confidence=Confidence.medium,
    needles=_RETRAIN_NEEDLES,
)
def triggers_retraining(repo: RepoIndex) -> Observation:
    found = _scheduled_workflows(repo) + _scheduled_manifests(repo)
    code = [(s, c) for s, c in matching(repo, _RETRAIN_NEEDLES, _scheduled_code) if _code_trains(repo, s)]
    if found or code:
        parts = sorted({k for k, _ in found}) + ([f"scheduled training in code ({describe(code)})"] if code else [])
        return Observation.passed("; ".join(parts), [loc for _, loc in found] + locations(code))
    return Observation.failed("no scheduled or event-driven training found (CI schedules, orchestrator schedules, recurring pipeline runs, CronJobs)")
