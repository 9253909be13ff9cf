"""Orchestration: a multi-step ML pipeline defined for an orchestrator."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from mlops_audit.evidence.repo.astutil import walk
from mlops_audit.evidence.repo.catalogue import vocabulary
from mlops_audit.evidence.repo.detectors import _batchscoring, _bindings, _inhouse, _rlang, _workflowsteps
from mlops_audit.evidence.repo.detectors._catalogue import RESOURCE_WORDS, definition_files, resource_declarations
from mlops_audit.evidence.repo.detectors._python import describe, locations, matching
from mlops_audit.evidence.repo.detectors.deployment import manifest_documents
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, at, detector

# Orchestrators and workflow engines: catalogue/pipelines.yaml (those judged below by a rule too).
_ORCHESTRATION = vocabulary(Kind.pipeline_orchestration)
_NEEDLES = vocabulary(Kind.pipeline_orchestration, None).needles
# Pipeline resources declared as infrastructure code (Step Functions state machines, SageMaker pipelines).
_STATE_MACHINES = tuple(dict.fromkeys(t for _, ev in _ORCHESTRATION.entries if ev.rule is None for t in ev.resource_types))


def _orchestrated(summary: PythonSummary) -> list[Call]:
    found: list[Call] = _ORCHESTRATION.code_hits(summary)
    if summary.decorated_by("prefect.task") and summary.decorated_by("prefect.flow"):
        found += summary.decorated_by("prefect.flow")
    if len(summary.decorated_by("dagster.asset", "dagster.op", "dagster.multi_asset")) >= 2:
        found += summary.decorated_by("dagster.asset", "dagster.op", "dagster.multi_asset")[:1]
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


# Session 15: a package, not a file, is the unit of a flow of tasks. Prefect and Flyte projects keep
# the tasks in one module (`tasks.py`, `steps.py`) and the flow that calls them in another
# (`flows.py`), as both tools' documentation lays projects out: a flow counts when a project module it
# imports (absolute, relative or through a folder it puts on sys.path) defines tasks of the same tool.
_FLOW_OF_TASKS = (("prefect.flow", "prefect.task"), ("flytekit.workflow", "flytekit.task"))
MAX_TASK_MODULES = 20  # project modules a flow file imports, looked at for tasks


def _flows_of_imported_tasks(repo: RepoIndex, summary: PythonSummary) -> list[Call]:
    wanted = [(flow, task) for flow, task in _FLOW_OF_TASKS if summary.decorated_by(flow) and not summary.decorated_by(task)]
    if not wanted or summary.is_notebook:
        return []
    found: list[Call] = []
    for path, _, _ in _bindings.project_imports(repo, summary)[:MAX_TASK_MODULES]:
        module = repo.python(path)
        for flow, task in wanted:
            if module is not None and module.decorated_by(task) and summary.decorated_by(flow)[0] not in found:
                found.append(summary.decorated_by(flow)[0])
    return found


_COMPONENT_WRAPPERS = frozenset({"create_component_from_func", "func_to_container_op"})
_PLACEHOLDER_IMAGE = re.compile(r"your[-_]|<[^>]*>|example\.com|registry/[^:]*:tag$|^image:?tag$", re.IGNORECASE)


def _trivial(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A placeholder body: pass, a docstring, prints, a constant returned, or a container op whose
    image is a placeholder (`your-registry/training-image:tag`)."""
    for statement in func.body:
        if isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) and _inhouse.call_name(statement.value) == "print":
            continue
        if isinstance(statement, ast.Return) and (statement.value is None or isinstance(statement.value, ast.Constant)):
            continue
        if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Call):
            images = [k.value.value for k in statement.value.keywords if k.arg == "image" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
            if images and all(_PLACEHOLDER_IMAGE.search(i) for i in images):
                continue
        return False
    return True


def _placeholder_components(repo: RepoIndex, path: str) -> bool:
    """Rule `placeholder pipeline`: every component function of a Kubeflow pipeline module (decorated
    as a component or wrapped by create_component_from_func) is a placeholder, so the pipeline runs
    nothing. Components built elsewhere (images, other modules) are not judged."""
    module = _inhouse.tree(repo, path)
    if module is None:
        return False
    wrapped = {a.id for c in _inhouse.calls_in(module) if _inhouse.call_name(c) in _COMPONENT_WRAPPERS for a in c.args[:1] if isinstance(a, ast.Name)}
    components = [
        f for _, f in _inhouse.functions(module)
        if f.name in wrapped or any(_inhouse.last_name(d) in ("component", "container_component") for d in f.decorator_list)
    ]
    return bool(components) and all(_trivial(f) for f in components)


_NOT_A_STEP = re.compile(r"^(print|str|int|float|len|range|dict|list|format|getLogger|debug|info|warning|error|log|Condition|ExitHandler|ParallelFor)$")


def _unwired_pipeline(repo: RepoIndex, path: str, decorator: Call) -> bool:
    """Rule `pipeline wires its steps`: a function decorated as a pipeline/flow/workflow whose body
    calls no step (only `pass`, a docstring, prints or logging) runs nothing, whatever its
    decorator says. Components defined but never called by it are not wired in."""
    module = _inhouse.tree(repo, path)
    if module is None:
        return False
    for _, func in _inhouse.functions(module):
        if not any(getattr(d, "lineno", None) == decorator.line for d in func.decorator_list):
            continue
        steps = [c for statement in func.body for c in _inhouse.calls_in(statement) if not _NOT_A_STEP.match(_inhouse.call_name(c) or "")]
        return not steps
    return False


def _dvc_pipelines(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.named("dvc.yaml"):
        if _batchscoring.DEMO_FOLDER.search(path):
            continue  # session 11: an example's DVC pipeline shows the tool (conventions §2, §5)
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if isinstance(stages, dict) and sum(1 for s in stages.values() if isinstance(s, dict) and (s.get("cmd") or s.get("foreach"))) >= 2:
            pos = doc.locate(("stages",)) if doc else None
            hits.append(at(path, pos[0] if pos else None))
    return hits


def _snakemake_workflows(repo: RepoIndex) -> list[Location]:
    """Rule `snakemake workflow of rules` (session 11): a Snakefile (or `.smk` it includes) with two or
    more rules that run something (`shell:`, `script:`, `run:` ...), as two DVC stages are. A
    workflow of one rule, or rules that only gather targets (`rule all: input: ...`), is not a pipeline."""
    rules = _workflowsteps.acting(_workflowsteps.snakemake_rules(repo))
    # One workflow = a Snakefile's folder with the .smk files below it (review11: two unrelated
    # Snakefiles of one rule each are two one-rule workflows, not a pipeline); a .smk with no Snakefile
    # above it is a workflow of its own folder.
    roots = sorted({path.rpartition("/")[0] for path in repo.named("Snakefile")}, key=lambda root: (len(root), root))

    def workflow(path: str) -> str:
        folder = path.rpartition("/")[0]
        return next((root for root in roots if not root or folder == root or folder.startswith(root + "/")), folder)

    groups: dict[str, list[_workflowsteps.WorkflowRule]] = {}
    for rule in rules:
        groups.setdefault(workflow(rule.path), []).append(rule)
    chosen = [r for group in groups.values() if len(group) >= 2 for r in group]
    first = {r.path: r.line for r in reversed(chosen)}
    return [at(path, line) for path, line in sorted(first.items())]


# Argo Workflow kinds, `pipelineInfo` of a compiled KFP spec, `type: pipeline` of an Azure ML job.
_WORKFLOW_TEXT = ("workflow", "pipeline")
_ARGO_KINDS = {tuple(t.split("/", 1)) for t in next(ev for t, ev in vocabulary(Kind.pipeline_orchestration, None).entries if t.id == "argo_workflows").resource_types}
_WORKFLOW_KIND = re.compile(
    r"kind[\"']?\s*:\s*[\"']?(" + "|".join(sorted(k for _, k in _ARGO_KINDS)) + r")\b|type[\"']?\s*:\s*[\"']?pipeline\b"
)


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
        if (str(data.get("apiVersion")).split("/", 1)[0], data.get("kind")) in _ARGO_KINDS:
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
    words=_WORKFLOW_TEXT + RESOURCE_WORDS + _workflowsteps.TASK_WORDS,
)
def orchestrates_pipeline(repo: RepoIndex) -> Observation:
    def wired(summary: PythonSummary) -> list[Call]:
        decorators = {(d.name, d.line) for d in summary.decorators}
        return [
            c for c in _orchestrated(summary) + _flows_of_imported_tasks(repo, summary)
            if not (c.name.startswith("kfp.") and _placeholder_components(repo, summary.path))
            and not (not summary.is_notebook and (c.name, c.line) in decorators and _unwired_pipeline(repo, summary.path, c))
        ]

    hits = matching(repo, _NEEDLES, wired)
    shown = locations(hits)
    dvc = _dvc_pipelines(repo)
    # Definition files fill the places the code leaves in the finding; none are parsed beyond that.
    workflows, more = _workflow_manifests(repo, MAX_LOCATIONS - len(shown) - len(dvc))
    state_machines = [loc for _, loc in definition_files(repo, Kind.pipeline_orchestration)]
    state_machines += [loc for _, loc, _ in resource_declarations(repo, _STATE_MACHINES)]
    configs = dvc + workflows + state_machines
    graphs = _snakemake_workflows(repo) + _workflowsteps.taskcluster_graphs(repo) + _rlang.targets_pipelines(repo) if not (hits or configs) else []  # R targets: session 15 (poly22)
    if hits or configs:
        parts = [f"pipeline code: {describe(hits)}"] if hits else []
        if configs:
            count = f"at least {len(configs)}" if more else str(len(configs))
            parts.append(f"{count} pipeline definition file(s) (DVC stages, Argo/Kubeflow, Azure ML, Step Functions, SageMaker pipelines, Kestra flows, Mage pipelines)")
        return Observation.passed("; ".join(parts), shown + configs)
    if graphs:
        return Observation.passed(
            f"{len(graphs)} workflow engine task graph(s) (Snakemake rules, Taskcluster tasks with dependencies, R targets pipelines)", graphs[:MAX_LOCATIONS]
        )
    return Observation.failed("no orchestrated multi-step pipeline found (DVC stages, Airflow, Kubeflow, TFX, SageMaker/Vertex/Azure ML pipelines, Prefect, Dagster, ZenML, Metaflow, Kedro, Flyte)")


# --- retraining started by a scheduled DAG or a deploy helper (judged by `triggers_retraining`) -------

# Rule `scheduled DAG triggers the training DAG` (session 10): an Airflow DAG on a schedule (hourly,
# daily...) polls signals (drift, validated feedback, new data) and starts another DAG with
# `TriggerDagRunOperator`, usually behind a gate (`ShortCircuitOperator`, `BranchPythonOperator`); the
# DAG it starts trains. The DAG may be built by the project's own factory (`build_dag(dag_id=...,
# schedule="@hourly")`): any call of the module giving a real schedule counts. A DAG started only by
# hand (`schedule=None`), or one that triggers a DAG that does not train, is not a retraining trigger.
DAG_TRIGGER_NEEDLES = ("TriggerDagRunOperator", "trigger_dag_id")
_DAG_ID = re.compile(r"""\bdag_id\s*=\s*["']([\w.\-]+)["']""")


def module_strings(module: ast.Module) -> dict[str, str]:
    """Module-level names bound to strings (constant parts of f-strings included)."""
    found: dict[str, str] = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
            parts = [node.value] if isinstance(node.value, ast.Constant) else node.value.values
            text = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = text
    return found


def _real_schedule(value: ast.AST) -> bool:
    if isinstance(value, ast.Constant):
        return value.value is not None and value.value not in ("@once", "", False)
    return True  # a cron from settings, a timedelta, a Timetable


def _scheduled_module(module: ast.Module) -> bool:
    return any(
        k.arg in ("schedule", "schedule_interval", "timetable") and _real_schedule(k.value)
        for c in _inhouse.calls_in(module) for k in c.keywords
    )


def scheduled_dag_triggers(repo: RepoIndex, trains: Callable[[PythonSummary], bool]) -> list[Location]:
    """Where a scheduled DAG triggers a DAG whose file trains (`trains`: the caller's test of a
    training module)."""
    hits: list[Location] = []
    defined: dict[str, str] | None = None
    for summary in _inhouse.project_code(repo.python_mentioning(*DAG_TRIGGER_NEEDLES)):
        module = _inhouse.tree(repo, summary.path)
        if module is None or not _scheduled_module(module):
            continue
        strings = module_strings(module)
        for call in _inhouse.calls_in(module):
            target = next((k.value for k in call.keywords if k.arg == "trigger_dag_id"), None)
            if target is None:
                continue
            dag_id = target.value if isinstance(target, ast.Constant) else strings.get(target.id) if isinstance(target, ast.Name) else None
            if not isinstance(dag_id, str):
                continue
            if defined is None:
                defined = {}
                for other in _inhouse.project_code(repo.python_scan("dag_id")):
                    for found in _DAG_ID.findall(repo.text(other.path) or ""):
                        defined.setdefault(found, other.path)
            path = defined.get(dag_id)
            if path is None or path == summary.path:
                continue
            started = repo.python(path)
            if started is not None and trains(started):
                hits += [at(summary.path, call.lineno), at(path)]
                break
    return hits


# Rule `deploy helper schedules what its callers ask`: a function that deploys whatever flow it is
# given (`await flow.deploy(name, schedule=schedule)`, the flow and the schedule its parameters)
# schedules a training flow only if a call of it passes a training flow together with a schedule.
# Teams write one such helper and call it for every flow, with schedules for some (ingestion,
# reports) and none for training (started by people): the helper's `schedule=` alone says nothing.
_DEPLOY_CALLS = frozenset({"serve", "deploy", "to_deployment", "build_from_flow", "Deployment", "DeploymentSpec"})
_SCHEDULE_ARG = re.compile(r"schedul|cron|interval|rrule", re.IGNORECASE)
_TRAINING_FLOW = re.compile(r"(^|_)(re)?train(ing|er)?(_|$)", re.IGNORECASE)


def schedule_left_to_callers(repo: RepoIndex, path: str, line: int | None) -> bool:
    """Whether the deploy call at `line` is such a helper's, and no call of the helper in its module
    passes a training flow with a schedule. False when it cannot be told (callers elsewhere)."""
    module = _inhouse.tree(repo, path)
    if module is None or line is None:
        return False
    for _, func in _inhouse.functions(module):
        if not (func.lineno <= line <= (func.end_lineno or func.lineno)):
            continue
        params = {a.arg for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}
        derived = set(params)
        for node in walk(func):
            if isinstance(node, ast.Assign) and _inhouse.identifiers(node.value) & derived:
                for target in node.targets:
                    derived |= _inhouse.assigned_names(target)
        for call in _inhouse.calls_in(func):
            if call.lineno != line or _inhouse.call_name(call) not in _DEPLOY_CALLS:
                continue
            flow = call.func.value if isinstance(call.func, ast.Attribute) else next((k.value for k in call.keywords if k.arg == "flow"), None)
            schedule = [k.value for k in call.keywords if k.arg and _SCHEDULE_ARG.search(k.arg)]
            if not (isinstance(flow, ast.Name) and flow.id in params and schedule):
                continue
            if not all(_inhouse.identifiers(v) & derived for v in schedule):
                continue  # a schedule written here, not handed in
            callers = [c for c in _inhouse.calls_in(module) if _inhouse.call_name(c) == func.name]
            if not callers:
                return False
            return not any(
                any(_TRAINING_FLOW.search(_inhouse.last_name(v)) for v in [*c.args[:1], *(k.value for k in c.keywords if k.arg == "flow")])
                and any(k.arg and _SCHEDULE_ARG.search(k.arg) and not (isinstance(k.value, ast.Constant) and k.value.value is None) for k in c.keywords)
                for c in callers
            )
    return False
