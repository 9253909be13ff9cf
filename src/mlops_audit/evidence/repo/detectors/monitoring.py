"""Operations: model/data monitoring and retraining triggered by schedule, event or drift."""

from __future__ import annotations

import ast
import bisect
import posixpath
import re
from collections.abc import Callable, Iterator

from mlops_audit.evidence.repo.astutil import walk
from mlops_audit.evidence.repo.catalogue import Grade, command_pattern, vocabulary
from mlops_audit.evidence.repo.ciconfig import AUTOMATIC_EVENTS, ci_run_commands, started_from_outside, workflow_triggers
from mlops_audit.evidence.repo.detectors import _inhouse, _storedoutputs
from mlops_audit.evidence.repo.detectors._batchscoring import DEMO_FOLDER
from mlops_audit.evidence.repo.detectors._catalogue import RESOURCE_WORDS, definition_files, resource_declarations
from mlops_audit.evidence.repo.detectors._python import (
    Hits,
    describe,
    is_test_path,
    locations,
    matching,
    own_tool_packages,
)
from mlops_audit.evidence.repo.detectors.deployment import manifest_documents
from mlops_audit.evidence.repo.detectors.pipelines import DAG_TRIGGER_NEEDLES, module_strings as _module_strings, schedule_left_to_callers, scheduled_dag_triggers
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, at, detector

# Monitoring tools (full evidence) and operational telemetry (partial alone): catalogue/monitoring.yaml.
_MONITORING = vocabulary(Kind.monitoring)
_TELEMETRY = vocabulary(Kind.monitoring, Grade.partial)
_EVERY_MONITORING_NEEDLE = vocabulary(Kind.monitoring, None).needles


# Drift statistics a project computes itself (its own PSI/CSI functions) or with scipy.
_DRIFT_NEEDLES = (
    "psi", "csi", "PSI", "CSI", "ks_2samp", "wasserstein_distance", "jensenshannon", "population_stability_index",
    "calculate_psi", "compute_psi", "detect_drift", "drift_score", "stability_index", "js_divergence", "kl_divergence",
    # the value of a project's own distance function, named by its abbreviation (`js = _compute_js(ref, cur)`)
    "js", "jsd", "hellinger",
)
_DRIFT_FUNCTION = re.compile(
    r"^(psi|csi|\w*_psi|psi_\w+|\w*_csi|population_stability\w*|characteristic_stability\w*|\w*drift\w*|ks_2samp|"
    r"wasserstein_distance|jensenshannon|\w*js_divergence|\w*kl_divergence|jensen_shannon\w*|"
    # a project's own distance function named by the statistic's abbreviation: `_compute_js`, `calc_hellinger`,
    # `ks_statistic` (not `kl`: a KL term is also a training loss)
    r"_?(?:compute|calc|calculate|measure|get)_(?:js|jsd|ks|hellinger|psi|csi)(?:_\w+)?|(?:js|jsd|ks|hellinger)_(?:distance|divergence|stat\w*|score))$",
    re.IGNORECASE,
)
_THRESHOLD_NAME = re.compile(
    r"alert|threshold|limit|max|min|cutoff|bound|toleran|trigger|critical|warn|alarm|(?:^|[_.])thr(?:esh)?(?:[_.\d]|$)", re.IGNORECASE
)
_ACTION_NAME = re.compile(r"alert|alarm|trigger|drift|breach|fire|flag|status|retrain|notify|incident|page|violation", re.IGNORECASE)
_ACTION_CALL = re.compile(
    r"alert|alarm|notify|trigger|retrain|page|warn|error|critical|send|post|publish|emit|fire|incident|slack|mail|raise",
    re.IGNORECASE,
)


_NOT_MEASURING = re.compile(r"^(apply|simulate|inject|add|make|generate|create|synthesi[sz]e|plot|draw|show)_", re.IGNORECASE)


def _drift_call(node: ast.AST) -> bool:
    """A call that measures drift (`stats.psi(...)`, `ks_2samp(...)`), not one that stages it
    (`simulate_drift(...)`, `apply_drift(...)` in synthetic-data code) or draws it."""
    if not isinstance(node, ast.Call):
        return False
    name = _inhouse.call_name(node)
    return bool(_DRIFT_FUNCTION.match(name)) and not _NOT_MEASURING.match(name)


# Rule `a drift check on named drift values` (session 14, batch 20): a function named for checking drift
# (`check_drift`, `detect_data_drift`, `drift_check`) - an Airflow task, a scheduled job's step - whose
# drift values arrive by name (`drift = ti.xcom_pull(key="drift_metrics")`, a `drift_scores` argument)
# rather than from a call it makes: within it, names for drift (`drift`, `psi`, `drift_scores`) are drift
# statistics, and a threshold on them that raises or alerts is the same in-house drift monitoring.
_DRIFT_CHECK_NEEDLES = ("drift", "data_drift", "check_drift", "drift_check", "monitor_drift", "check_data_drift", "detect_data_drift")
_DRIFT_CHECK = re.compile(
    r"^_?(?:check|detect|monitor|evaluate|assess|compute|calculate|measure|run)_(?:\w+_)?drifts?(?:_\w+)?$|^_?drift_(?:check|detection|monitor\w*|alert\w*)s?$",
    re.IGNORECASE,
)
_DRIFT_VALUE_NAME = re.compile(r"(?:^|_)(?:drifts?|psi|csi)(?:_|$)", re.IGNORECASE)


def _named_drift_values(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """In a drift-check function, its parameters and assigned names that are named for drift."""
    if not _DRIFT_CHECK.match(func.name):
        return set()
    names = {a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
    for node in walk(func):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= _inhouse.assigned_names(target)
    return {n for n in names if _DRIFT_VALUE_NAME.search(n)}


def _drift_values(func: ast.AST, seeds: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Names holding drift statistics in a function: `seeds`, names assigned from an expression that
    computes one (`psi = stats.psi(ref, cur)`) or from one of those, or iterated out of one
    (`for k, v in csi.items()`)."""
    names: set[str] = set(seeds)
    for _ in range(3):  # a few passes: values derived from values
        before = len(names)
        for node in walk(func):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                if any(_drift_call(n) or (isinstance(n, ast.Name) and n.id in names) for n in walk(node.value)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        names |= _inhouse.assigned_names(target)
            elif isinstance(node, (ast.comprehension, ast.For)):
                if any(_drift_call(n) or (isinstance(n, ast.Name) and n.id in names) for n in walk(node.iter)):
                    names |= _inhouse.assigned_names(node.target)
        if len(names) == before:
            break
    return names


def _is_threshold(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return True
    return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and bool(_THRESHOLD_NAME.search(_inhouse.dotted(node) or _inhouse.last_name(node)))


def _acts(compare: ast.Compare, up: dict[ast.AST, ast.AST]) -> bool:
    """The comparison's outcome does something: it decides an `if` that raises, alerts, sets or
    returns something, or it is stored under an alert/trigger/drift name, or returned."""
    node: ast.AST = compare
    while node in up:
        parent = up[node]
        if isinstance(parent, (ast.If, ast.While)) and node is parent.test:
            for stmt in parent.body:
                if isinstance(stmt, (ast.Raise, ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    return True
                if any(_ACTION_CALL.search(_inhouse.dotted(c.func) or "") for c in _inhouse.calls_in(stmt)):
                    return True
            return False
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return any(_ACTION_NAME.search(_inhouse.dotted(t) or "") for t in targets)
        if isinstance(parent, ast.Return):
            return True
        if isinstance(parent, ast.Call) and _ACTION_CALL.search(_inhouse.dotted(parent.func) or ""):
            return True
        if isinstance(parent, ast.stmt):
            return False
        node = parent
    return False


def _acting_thresholds(path: str, func: ast.FunctionDef | ast.AsyncFunctionDef, values: set[str]) -> list[tuple[Location, str]]:
    """Comparisons in `func` of a drift statistic (a drift call, or a name in `values`) with a
    threshold whose outcome acts (raises, alerts, triggers)."""
    found: list[tuple[Location, str]] = []
    up = _inhouse.parents(func)
    for node in walk(func):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        drift_side = [o for o in operands if any(_drift_call(n) or (isinstance(n, ast.Name) and n.id in values) for n in walk(o))]
        other = [o for o in operands if o not in drift_side]
        if drift_side and any(_is_threshold(o) for o in other) and _acts(node, up):
            found.append((at(path, node.lineno), func.name))
    return found


def drift_threshold_actions(repo: RepoIndex) -> list[tuple[Location, str]]:
    """Rule `in-house drift monitoring`: in project code, a drift statistic (a project PSI/CSI/drift
    function, scipy's ks_2samp or a distribution distance) is computed and compared with a threshold
    whose outcome raises an alert or trigger. A PSI function defined but never called, a value only
    printed, or a threshold constant nothing compares with are not monitoring. Returns (where, function)."""

    def read() -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        for summary in _inhouse.project_code(repo.python_mentioning(*_DRIFT_NEEDLES)):
            if not any(_DRIFT_FUNCTION.match(name.rsplit(".", 1)[-1]) for name in summary.resolved_names):
                continue
            module = _inhouse.tree(repo, summary.path)
            if module is None:
                continue
            for _, func in _inhouse.functions(module):
                found += _acting_thresholds(summary.path, func, _drift_values(func))
        return found

    return repo.memo("drift_threshold_actions", read)  # type: ignore[no-any-return]


def _drift_checks_on_named_values(repo: RepoIndex) -> list[Location]:
    """Rule `a drift check on named drift values` (above): monitoring only, so that the retraining
    rules built on `drift_threshold_actions` keep their own reading."""
    found: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_DRIFT_CHECK_NEEDLES)):
        if DEMO_FOLDER.search(summary.path) or not any(_DRIFT_CHECK.match(name.rsplit(".", 1)[-1]) for name in summary.functions):
            continue
        module = _inhouse.tree(repo, summary.path)
        for _, func in _inhouse.functions(module) if module is not None else ():
            named = _named_drift_values(func)
            if named:
                found += [loc for loc, _ in _acting_thresholds(summary.path, func, _drift_values(func, named))]
    return found


_ALERT_TEXT = ("alert",)  # Prometheus rules: `- alert: Name` with an `expr`


def _drift_statistics(repo: RepoIndex) -> list[Location]:
    """Rule `drift statistics computed`: project code computes a drift statistic (a project
    PSI/CSI/drift function, ks_2samp, a distribution distance) in a function that is itself run
    (called from project code, or a module-level or `main` entry point). Without a threshold that
    acts on it this is partial monitoring; a drift function defined and never run is nothing."""
    calls: list[tuple[str, Call]] = []
    candidates = list(_inhouse.project_code(repo.python_mentioning(*_DRIFT_NEEDLES)))
    for summary in candidates:
        for call in summary.calls:
            last = call.name.rsplit(".", 1)[-1]
            if _DRIFT_FUNCTION.match(last) and not _NOT_MEASURING.match(last) and call.scope != last:
                calls.append((summary.path, call))
    scopes = {c.scope for _, c in calls if c.scope and c.scope != "main"}
    # Callers are looked for among the files already parsed first; the code is read again only
    # when none of them runs a drift-computing function.
    run = {c.name.rsplit(".", 1)[-1] for s in candidates for c in s.calls} & scopes
    if scopes and not run:
        run = {c.name.rsplit(".", 1)[-1] for s in _inhouse.project_code(repo.python_scan(*sorted(scopes))) for c in s.calls} & scopes
    return [at(path, c.line) for path, c in calls if c.scope in (None, "main") or c.scope in run]


# An alert about the model service (its predictions, requests, latency, errors, drift), not about
# the machines: node/container CPU, memory and disk alerts are infrastructure monitoring.
_MODEL_ALERT = re.compile(r"predict|inference|model|drift|serving|scor|request|latency|http_|error_rate|accuracy|skew", re.IGNORECASE)


def _alert_rules(repo: RepoIndex) -> tuple[list[Location], list[Location]]:
    """Prometheus alerting rules (`groups[].rules[]` with `alert` and `expr`, or a PrometheusRule):
    (rules about a model service, rules about infrastructure only)."""
    model, infra = [], []
    for path, doc in manifest_documents(repo, _ALERT_TEXT):
        data = doc.data
        groups = data.get("groups") if data.get("kind") != "PrometheusRule" else (data.get("spec") or {}).get("groups")
        for i, group in enumerate(groups if isinstance(groups, list) else []):
            rules = [r for r in (group.get("rules") or [] if isinstance(group, dict) else []) if isinstance(r, dict) and r.get("alert") and r.get("expr")]
            if not rules:
                continue
            pos = doc.locate(("groups", i)) or doc.locate(("spec",))
            about_model = any(_MODEL_ALERT.search(f"{r.get('alert')} {r.get('expr')}") for r in rules)
            (model if about_model else infra).append(at(path, pos[0] if pos else None))
    return model, infra


# Rule `alarm on the model service` (session 12): a cloud metric alarm declared as infrastructure
# (catalogue/monitoring.yaml `cloud_metric_alarms`) whose definition names the model service - its
# SageMaker metrics, an endpoint, inference or predictions. Alarms on queues, databases or machines
# are infrastructure alerting.
_CLOUD_ALARMS = [t for _, ev in vocabulary(Kind.monitoring, None).entries if ev.rule == "alarm on the model service" for t in ev.resource_types]
_MODEL_ALARM = re.compile(r"AWS/SageMaker|ModelLatency|Invocation|OverheadLatency|endpoint|inference|predict|\bmodel", re.IGNORECASE)


def _cloud_alarms(repo: RepoIndex) -> tuple[list[Location], list[Location]]:
    """(alarms about the model service, alarms about other infrastructure)."""
    model, infra = [], []
    for _, loc, text in resource_declarations(repo, _CLOUD_ALARMS):
        (model if _MODEL_ALARM.search(text) else infra).append(loc)
    return model, infra


_MODEL_DASHBOARD = re.compile(r"predict|inference|\bmodel", re.IGNORECASE)


# Rule `service telemetry only` (session 11): operational monitoring is partial monitoring of the model
# when something measures the model's work - metrics of its predictions, confidence, inputs or quality
# (`predictions_total`, `api_avg_confidence`, `model_prediction_accuracy`), predictions written to a
# log store, metrics the project exports itself under names read at run time. An HTTP service's
# request telemetry alone - an auto-instrumentation (`Instrumentator().instrument(app)`,
# `configure_azure_monitor()`), metrics named for requests, latency, errors or the process, a
# dashboard whose queries read only those - watches the service, not the model: issue 12 asks for it
# to be graded, not dropped ("Application Insights request telemetry ... are monitoring. Grade them"),
# and the rubric's metric catalogue counts service metrics as one of its three kinds, so it is the
# weakest partial (low confidence), below operational monitoring that measures the model's work.
_SERVICE_METRIC = re.compile(
    r"^(https?|fastapi|starlette|flask|django|gunicorn|uvicorn|process|python|go|node|container|kube|grpc|nginx|up|scrape)(_|$)"
    r"|(^|_)(requests?|responses?|latency|duration|in_progress|inprogress|cpu|memory|bytes|errors?|exceptions?|uptime|health)(_|$)",
    re.IGNORECASE,
)
_MODEL_METRIC = re.compile(r"predict|model|inference|drift|shift|confidence|accurac|score|quality", re.IGNORECASE)
_AUTO_INSTRUMENTATION = frozenset({
    "prometheus_fastapi_instrumentator.Instrumentator",
    "azure.monitor.opentelemetry.configure_azure_monitor",
    "opencensus.ext.azure.trace_exporter.AzureExporter",
})
# Request tracing of the web framework and APM agents (catalogue `apm_instrumentation`, session 13), and
# the telemetry SDKs conventions §14 names (catalogue `sentry`, `opentelemetry_exporters`, session 14):
# service telemetry by construction, whatever is called on them (`FastAPIInstrumentor.instrument_app(app)`).
_SERVICE_SDKS = ("apm_instrumentation", "sentry", "opentelemetry_exporters")
_APM_INSTRUMENTATION = tuple(c for tool, ev in _TELEMETRY.entries if tool.id in _SERVICE_SDKS for c in ev.calls)
_TELEMETRY_SDKS = tuple(c for tool, ev in _TELEMETRY.entries if tool.id in _SERVICE_SDKS[1:] for c in ev.calls)
_METRIC_TYPES = frozenset({"Counter", "Histogram", "Gauge", "Summary"})
_PROMQL_INSIDE = re.compile(r"\{[^{}]*\}|\[[^\[\]]*\]|\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_PROMQL_NAME = re.compile(r"(?<![\w.:\"'])([A-Za-z_:][\w:]*)\b(?!\s*\()")
_PROMQL_WORDS = frozenset({"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan"})


def _sends_telemetry(summary: PythonSummary, call: Call) -> bool:
    """Rule `telemetry SDK in the service` (session 14, conventions §14): a Sentry or OpenTelemetry
    exporter set up in the project's own code. Not in an example or demo folder (§2), and not Sentry
    switched off or left a placeholder in the call itself (`dsn=""`, `dsn=None`, `dsn="your-sentry-dsn"`:
    a DSN written in the code is a URL; one read from the environment or settings is not judged)."""
    if not any(call.name == c or call.name.startswith(c + ".") for c in _TELEMETRY_SDKS):
        return True  # the rule judges only the SDKs of session 14
    if DEMO_FOLDER.search(summary.path):
        return False
    dsn = call.keyword("dsn") if call.has_keyword("dsn") else call.args[0] if call.args else Ellipsis
    return dsn is not None and not (isinstance(dsn, str) and not dsn.startswith(("https://", "http://")))


def _telemetry(repo: RepoIndex) -> Hits[tuple[PythonSummary, Call]]:
    found = [(summary, call) for summary, call in matching(repo, _TELEMETRY.needles, _TELEMETRY.code_hits) if _sends_telemetry(summary, call)]
    return Hits(_recording_metrics(repo, found))


# Rule `metrics that never record` (session 18, conventions §16.11 'instrumentation that never records'):
# a Prometheus client metric measures something only when the code records into it - `inc`/`dec`,
# `observe`, `set`, the `time()` / `count_exceptions()` / `track_inprogress()` context managers and
# decorators, `set_function`, `info`/`state`, directly or through `labels(...)` (prometheus_client's
# instrumenting API). A metric object declared and never recorded into exports an empty series, and an
# exporter (`start_http_server`, `make_wsgi_app`/`make_asgi_app`, `generate_latest`) of such metrics only
# serves the client's default process metrics: neither watches the model service. A metric not bound to a
# plain name or attribute (kept in a dict, passed on) is given the benefit of the doubt.
_PROMETHEUS = "prometheus_client"
_PROMETHEUS_EXPORTERS = frozenset({"start_http_server", "make_wsgi_app", "make_asgi_app", "generate_latest"})
_RECORDING = (
    r"(?:\.[^\S\n]*labels[^\S\n]*\((?:[^()]|\([^()]*\))*\)[^\S\n]*)?\.[^\S\n]*"
    r"(?:inc|dec|observe|set|time|count_exceptions|track_inprogress|set_function|info|state|set_to_current_time)[^\S\n]*\("
)


def _metric_name(module: ast.Module | None, line: int | None) -> str | None:
    """The plain name or attribute a metric constructed on `line` is bound to (`X = Counter(...)`,
    `self.x = Gauge(...)`); None when it is bound otherwise (or the file cannot be read)."""
    if module is None or line is None:
        return None
    for node in walk(module):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call) and node.value.lineno == line:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                return targets[0].id
            if len(targets) == 1 and isinstance(targets[0], ast.Attribute):
                return targets[0].attr
            return None
    return None


def _recorded(repo: RepoIndex, path: str, name: str) -> bool:
    """Recorded into, here or in another project file - or handed as an argument to code that may record
    into it (`track(REQUESTS)`), given the benefit of the doubt."""
    records = re.compile(rf"\b{re.escape(name)}[^\S\n]*{_RECORDING}|[(,][^\S\n]*(?:\w+[^\S\n]*=[^\S\n]*)?(?:self\.)?{re.escape(name)}[^\S\n]*[,)]")
    if records.search(repo.text(path) or ""):
        return True
    return any(True for _ in _inhouse.project_code(repo.python_scan(name, where=lambda text: bool(records.search(text)))))


def _recording_metrics(repo: RepoIndex, found: list[tuple[PythonSummary, Call]]) -> list[tuple[PythonSummary, Call]]:
    """`found` without the Prometheus metrics nothing records into, and without the Prometheus exporters
    when no metric of the project records (see the rule above)."""
    metrics = [(s, c) for s, c in found if c.name.startswith(_PROMETHEUS + ".") and c.name.rsplit(".", 1)[-1] in _METRIC_TYPES]
    if not metrics:
        return found
    idle = set()
    for summary, call in metrics:
        name = _metric_name(_inhouse.tree(repo, summary.path), call.line)
        if name is not None and not _recorded(repo, summary.path, name):
            idle.add((summary.path, call.line, call.name))
    if not idle:
        return found
    exporters_idle = len(idle) == len(metrics)
    return [
        (s, c) for s, c in found
        if (s.path, c.line, c.name) not in idle
        and not (exporters_idle and c.name.startswith(_PROMETHEUS + ".") and c.name.rsplit(".", 1)[-1] in _PROMETHEUS_EXPORTERS)
    ]


def _service_metric(name: str) -> bool:
    return bool(_SERVICE_METRIC.search(name)) and not _MODEL_METRIC.search(name)


def _service_telemetry(call: Call) -> bool:
    """A telemetry call that only watches the HTTP service (see the rule above)."""
    if call.name in _AUTO_INSTRUMENTATION or any(call.name == c or call.name.startswith(c + ".") for c in _APM_INSTRUMENTATION):
        return True
    if call.name.rsplit(".", 1)[-1] in _METRIC_TYPES:
        return bool(call.args) and isinstance(call.args[0], str) and _service_metric(call.args[0])
    return False


def _queried_metrics(data: object) -> list[str] | None:
    """Metric names the dashboard's PromQL `expr` strings read; None when it has no PromQL (SQL or
    other data sources: judged by its words)."""
    queries = [e for key, e in _inhouse.walk_mapping(data) if key and key[-1] == "expr" and isinstance(e, str)]
    if not queries:
        return None
    names = []
    for query in queries:
        bare = query
        for _ in range(3):
            bare = _PROMQL_INSIDE.sub(" ", bare)
        names += [n for n in _PROMQL_NAME.findall(bare) if n.lower() not in _PROMQL_WORDS]
    return names


# Rule `answers in a SQL dashboard` (session 12): a dashboard whose SQL queries (Grafana's `rawSql`) read
# a table of the model's work - predictions, an LLM application's conversations and answers, their user
# feedback, judge verdicts, token counts - watches the model through its logged outputs (conventions §12,
# §13). A SQL dashboard of anything else (orders, sales, machines) is not one.
# Round 2: Azure Monitor workbooks' KQL `query` strings are read the same way, and the model's outputs
# are also named by its task (detections, classifications, forecasts).
_SQL_QUERY_KEYS = frozenset({"rawSql", "queryText", "sql", "query"})
_MODEL_TABLE_WORDS = re.compile(
    r"predict|inference|\bmodel|feedback|conversation|answer|relevance|rating|drift|prompt_tokens|completion_tokens|\bllm"
    r"|detections|classifications|forecasts",
    re.IGNORECASE,
)


def _sql_queries(data: object) -> list[str]:
    return [q for key, q in _inhouse.walk_mapping(data) if key and key[-1] in _SQL_QUERY_KEYS and isinstance(q, str)]


# Rule `a dashboard needs a source` (session 18, conventions §17.8): a Prometheus dashboard watches the model
# only when something in the repository records the series it reads. With no metric recorded by the
# project's code (see `metrics that never record`), its PromQL can only read metrics that a model server
# exports by itself - the servers' documented metric namespaces below (Triton `nv_inference_*`, TorchServe
# `ts_*`, Seldon `seldon_*`, BentoML `bentoml_*`, KServe `kserve_*`, Ray Serve `ray_serve_*`, vLLM `vllm:*`,
# TGI `tgi_*`, TensorFlow Serving `:tensorflow:serving:*`, MLServer `model_infer_*`, OpenVINO Model Server `ovms_*`); panels over node, container, scrape or alert
# manager series, or over metrics no code records, watch nothing of the model (§12 'metric configuration
# for a service that does not exist in the repository'). Dashboards of SQL or KQL queries are judged by
# their tables, as before.
_MODEL_SERVER_METRIC = re.compile(r"^(?:nv_inference_|ts_|seldon_|bentoml_|kserve_|ray_serve_|vllm:|tgi_|:tensorflow:serving:|model_infer_|ovms_)")


# The Prometheus clients of other languages, as their build files declare them (prom-client for Node,
# client_golang, Micrometer's or the simpleclient registry for the JVM, prometheus-net for .NET): code
# this detector does not read may record the series, so the dashboards keep the benefit of the doubt.
_OTHER_CLIENTS = (
    ("package.json", '"prom-client"'), ("go.mod", "github.com/prometheus/client_golang"),
    ("pom.xml", "micrometer-registry-prometheus"), ("build.gradle", "micrometer-registry-prometheus"),
    ("build.gradle.kts", "micrometer-registry-prometheus"), ("pom.xml", "simpleclient"), ("build.gradle", "simpleclient"),
)


def _records_metrics_outside_python(repo: RepoIndex) -> bool:
    for name, word in _OTHER_CLIENTS:
        for path in repo.named(name):
            if not is_test_path(path) and word in (repo.text(path) or ""):
                return True
    return any(p.endswith(".csproj") and "prometheus-net" in (repo.text(p) or "").lower() for p in repo.with_suffix(".csproj"))


def _dashboard_has_a_source(repo: RepoIndex, path: str) -> bool:
    metrics = _queried_metrics(repo.json(path))
    return not metrics or any(_MODEL_SERVER_METRIC.match(m) for m in metrics)


def _model_dashboard(repo: RepoIndex, path: str) -> bool:
    """A dashboard of the model (see the rules above), not of the machines or of request traffic only."""
    data = repo.json(path)
    metrics = _queried_metrics(data)
    if metrics is None or not metrics:
        if _MODEL_DASHBOARD.search(repo.text(path) or ""):
            return True
        return any(_MODEL_TABLE_WORDS.search(q) for q in _sql_queries(data))
    return any(not _service_metric(m) for m in metrics)


# Rule `scheduled evaluation job` (session 12, round 2: batch 16 and a spent repository): a job an
# in-process scheduler starts on a clock (APScheduler `add_job(func, ...)`, `schedule.every(...).do(func)`,
# Celery beat `add_periodic_task(..., func.s())`) whose target is named for computing the model's
# metrics or evaluation (`_run_evaluation_job`, `save_insight_metrics`, `check_drift`): the served
# model's quality or outputs are measured while it runs (conventions §12). A scheduled clean-up,
# ingestion or scoring job is not.
_SCHEDULER_MODULES = ("apscheduler", "schedule", "celery")
_SCHEDULED_JOB_CALLS = {"add_job": 0, "do": 0, "add_periodic_task": 1}  # call -> position of the job
# `.do(job)` is found in files mentioning `schedule` (the library's import), already a needle of the
# retraining rules: "do" itself is too common a word to be one.
_SCHEDULED_JOB_NEEDLES = ("add_job", "add_periodic_task", "schedule")
_EVALUATION_JOB = re.compile(r"(^|_)(metrics?|evaluat\w*|eval|monitor\w*|drift\w*|performance|accuracy)(_|$)", re.IGNORECASE)


def _job_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):  # a Celery signature `task.s()`
        node = node.func.value if isinstance(node.func, ast.Attribute) and node.func.attr in ("s", "si", "signature") else node.func
    return _inhouse.last_name(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""


def _scheduled_evaluation_jobs(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_SCHEDULED_JOB_NEEDLES)):
        if not summary.imports_module(*_SCHEDULER_MODULES) or not summary.calls_named(*_SCHEDULED_JOB_CALLS):
            continue
        module = _inhouse.tree(repo, summary.path)
        for call in _inhouse.calls_in(module) if module is not None else []:
            position = _SCHEDULED_JOB_CALLS.get(_inhouse.call_name(call))
            if position is None:
                continue
            job = call.args[position] if len(call.args) > position else next((k.value for k in call.keywords if k.arg in ("func", "sig")), None)
            if job is not None and _EVALUATION_JOB.search(_job_name(job)):
                hits.append(at(summary.path, call.lineno))
    return hits


# Rule `traced answers` (session 12, conventions §13): an LLM application's chain traced to an LLM
# observability store (catalogue/monitoring.yaml, family "LLM tracing": Langfuse, LangSmith, W&B Weave,
# Phoenix, Opik, OpenLLMetry) - every answer is logged where its UI shows it, the weakest form of
# monitoring. Tracing an offline evaluation (code under eval/benchmark/experiment folders, or in a
# file named for evaluation) watches no running system, so it does not count; notebooks and tests
# are left out as everywhere.
_TRACED_ANSWERS = [(tool, ev) for tool, ev in vocabulary(Kind.monitoring, None).entries if ev.rule == "traced answers"]
_TRACER_NEEDLES = tuple(dict.fromkeys(n for _, ev in _TRACED_ANSWERS for n in ev.needles))
_TRACER_CALLS = tuple(dict.fromkeys(c for _, ev in _TRACED_ANSWERS for c in ev.calls))
_TRACER_DECORATORS = tuple(dict.fromkeys(d for _, ev in _TRACED_ANSWERS for d in ev.decorators))
_OFFLINE_EVALUATION = re.compile(
    r"(^|/)(evals?|evaluations?|evaluators?|benchmarks?|experiments?|ragas)(/|$)|(^|/|_)eval(uat\w*)?(_\w*)?\.py$", re.IGNORECASE
)


def _traced_answers(repo: RepoIndex) -> Hits[tuple[PythonSummary, Call]]:
    own = own_tool_packages(repo)
    return Hits(
        (summary, call)
        for summary in _inhouse.project_code(repo.python_mentioning(*_TRACER_NEEDLES))
        if not _OFFLINE_EVALUATION.search(summary.path)
        for call in summary.calls_to(*_TRACER_CALLS) + summary.decorated_by(*_TRACER_DECORATORS)
        if call.name.split(".", 1)[0] not in own
    )
# Rule `telemetry SDK in a Node service` (session 14, conventions §14): a Node/TypeScript back end that
# calls a model (its package.json depends on an LLM or model client: OpenAI, the AI SDK, LangChain,
# Anthropic, Bedrock, ONNX Runtime...) and initialises a service telemetry SDK it also depends on
# (Sentry for Node or a server framework, the OpenTelemetry Node SDK, Azure Monitor / Application
# Insights, Langfuse tracing, Datadog, New Relic, OpenLLMetry) is the model service watched - the
# weakest grade. A front end (browser SDKs: @sentry/react, @sentry/browser) or a package without a model
# client is not; the dependency only points at the package, the evidence is the init call in its code.
_NODE_TELEMETRY: dict[str, re.Pattern[str]] = {
    # `Sentry.init(...)`, or `init` imported by name (`import { init as initSentry } from "@sentry/node"`)
    "@sentry/": re.compile(r"\bSentry\s*\.\s*init\s*\(|\bimport\s*\{[^}]{0,200}\binit\b[^}]{0,200}\}\s*from\s*[\"']@sentry/"),
    "@opentelemetry/sdk-node": re.compile(r"\bnew\s+NodeSDK\s*\("),
    "@vercel/otel": re.compile(r"\bregisterOTel\s*\("),
    "@azure/monitor-opentelemetry": re.compile(r"\buseAzureMonitor\s*\("),
    "applicationinsights": re.compile(r"\.\s*setup\s*\("),
    "langfuse": re.compile(r"\bnew\s+(?:Langfuse|LangfuseSpanProcessor|LangfuseExporter|CallbackHandler)\s*\(|\bobserveOpenAI\s*\("),
    "dd-trace": re.compile(r"\.\s*init\s*\(|[\"']dd-trace/init[\"']"),
    "newrelic": re.compile(r"(?:require\s*\(|import)\s*[\"']newrelic[\"']"),
    "@traceloop/node-server-sdk": re.compile(r"\.\s*initialize\s*\("),
}
# Server-side Sentry SDKs (runtimes, serverless, server frameworks); browser ones are front ends.
_NODE_SENTRY = re.compile(r"^@sentry/(node|bun|deno|aws-serverless|google-cloud-serverless|nestjs|nextjs|sveltekit|remix|astro|nuxt|solidstart)$")
_NODE_TELEMETRY_PACKAGE = re.compile(
    r"^(@opentelemetry/sdk-node|@vercel/otel|@azure/monitor-opentelemetry|applicationinsights|langfuse|langfuse-langchain|langfuse-vercel"
    r"|@langfuse/(otel|langchain|openai|tracing)|dd-trace|newrelic|@traceloop/node-server-sdk)$"
)
_NODE_MODEL_CLIENT = re.compile(
    r"^(openai|ai|@ai-sdk/[\w.-]+|langchain|@langchain/[\w.-]+|llamaindex|@anthropic-ai/sdk|@google/generative-ai|@google/genai"
    r"|@google-cloud/vertexai|@google-cloud/aiplatform|@mistralai/mistralai|cohere-ai|@huggingface/inference|@huggingface/transformers"
    r"|@xenova/transformers|@azure/openai|onnxruntime-node|@tensorflow/tfjs-node(-gpu)?|ollama|replicate|groq-sdk"
    r"|@aws-sdk/client-bedrock-runtime|@aws-sdk/client-sagemaker-runtime)$"
)
_NODE_SOURCES = (".ts", ".js", ".mjs", ".cjs", ".mts", ".cts")
_NODE_BUILD_FOLDER = re.compile(r"(^|/)(dist|build|out|coverage|public|static|\.next|\.nuxt|\.svelte-kit)/")
_NODE_TEST_FILE = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$|\.d\.ts$")
MAX_NODE_FILES = 400  # source files read per package at most
MAX_NODE_BYTES = 256 * 1024


def _node_sdk(package: str) -> str:
    """The key of _NODE_TELEMETRY a telemetry package is initialised by (its name, `@sentry/`, `langfuse`)."""
    return "@sentry/" if package.startswith("@sentry/") else "langfuse" if "langfuse" in package else package


def _node_service_telemetry(repo: RepoIndex) -> list[tuple[str, Location]]:
    """(SDK, where it is initialised) per Node package that calls a model (see the rule above)."""
    declared: list[tuple[str, str, list[str]]] = []  # (package.json, its name, its dependencies)
    for path in repo.named("package.json"):
        if is_test_path(path) or DEMO_FOLDER.search(path) or _NODE_BUILD_FOLDER.search(path):
            continue
        data = repo.json(path)
        deps = data.get("dependencies") if isinstance(data, dict) else None
        name = data.get("name") if isinstance(data, dict) else None
        declared.append((path, name if isinstance(name, str) else "", [str(n) for n in deps] if isinstance(deps, dict) else []))
    # A workspace package of the repository that calls a model (`@repo/llm` depending on `openai`) counts
    # for the packages depending on it (one hop: monorepos keep their model clients in a shared package).
    calls_model = {name for _, name, names in declared if name and any(_NODE_MODEL_CLIENT.match(n) for n in names)}
    packages = []
    for path, _, names in declared:
        sdks = sorted({_node_sdk(n) for n in names if _NODE_SENTRY.match(n) or _NODE_TELEMETRY_PACKAGE.match(n)})
        if sdks and any(_NODE_MODEL_CLIENT.match(n) or n in calls_model for n in names):
            packages.append((path.rsplit("/", 1)[0] + "/" if "/" in path else "", sdks))
    if not packages:
        return []
    found: list[tuple[str, Location]] = []
    for folder, sdks in packages:
        for path, text in node_package_sources(repo, folder):
            hits = [(sdk, m) for sdk in sdks if sdk in text and (m := _NODE_TELEMETRY[sdk].search(text))]
            found += [(sdk.rstrip("/"), at(path, text.count("\n", 0, m.start()) + 1)) for sdk, m in hits]
            if hits:
                break  # one file per package is enough
    return found


def node_package_sources(repo: RepoIndex, folder: str) -> Iterator[tuple[str, str]]:
    """(path, text) of the source files of the Node package in `folder` ('' for the root), lazily, in path
    order: tests, type declarations, build output and demo folders left out, at most MAX_NODE_FILES read."""
    sources = repo.with_suffix(*_NODE_SOURCES)  # in the listing's (sorted) order: a folder's files are one run of it
    read = 0
    for k in range(bisect.bisect_left(sources, folder), len(sources)):
        path = sources[k]
        if not path.startswith(folder):
            break
        if is_test_path(path) or _NODE_TEST_FILE.search(path) or _NODE_BUILD_FOLDER.search(path[len(folder):]) or DEMO_FOLDER.search(path[len(folder):]):
            continue
        if read >= MAX_NODE_FILES:
            break
        if repo.size(path) > MAX_NODE_BYTES:
            continue
        read += 1
        yield path, repo.text(path) or ""


# Rule `monitoring in a job request`: a prediction or monitoring job sent through a cloud API client
# as a message (a dict or keyword arguments), whose model monitoring config has skew or drift
# detection objectives. The key named in a docstring or a config left empty is not monitoring.
_MONITORING_REQUEST_KEYS = frozenset({"modelMonitoringConfig", "model_monitoring_config"})
_MONITORING_OBJECTIVE = re.compile(r"(skew|drift)_?detection_?config|trainingPredictionSkew|predictionDrift", re.IGNORECASE)


def _keys(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """(key, value) of a dict literal's constant keys, a call's keyword arguments, and
    `x["key"] = value` assignments."""
    if isinstance(node, ast.Dict):
        yield from ((k.value, v) for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant) and isinstance(k.value, str))
    elif isinstance(node, ast.Call):
        yield from ((k.arg, k.value) for k in node.keywords if k.arg)
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
                yield target.slice.value, node.value


def _monitoring_in_requests(repo: RepoIndex) -> list[Location]:
    hits = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_MONITORING_REQUEST_KEYS)):
        module = _inhouse.tree(repo, summary.path)
        for node in walk(module) if module is not None else ():
            for key, value in _keys(node):
                if key in _MONITORING_REQUEST_KEYS and any(_MONITORING_OBJECTIVE.search(k) for sub in walk(value) for k, _ in _keys(sub)):
                    hits.append(at(summary.path, node.lineno))  # type: ignore[attr-defined]
    return hits[:MAX_LOCATIONS]


# Rule `a monitoring job with objectives` (session 14, batch 20): a Vertex AI model monitoring job
# watches what its objective configs name - training-serving skew or prediction drift, with thresholds.
# A job created with objective configs that name neither ("use default drift configs", an empty
# training dataset) monitors nothing, so its file must configure a skew or drift detection objective.
_VERTEX_MONITORING = ("google.cloud.aiplatform.ModelDeploymentMonitoringJob", "google.cloud.aiplatform.model_monitoring")


def _monitors_something(repo: RepoIndex, summary: PythonSummary, call: Call) -> bool:
    if not any(call.name == v or call.name.startswith(v + ".") for v in _VERTEX_MONITORING):
        return True
    return bool(_MONITORING_OBJECTIVE.search(repo.text(summary.path) or ""))


@detector(
    id="monitors_model",
    title="Does the repo monitor the model or its data in production (drift, quality, alerts)?",
    kind=Kind.monitoring,
    remediation=(
        "Monitor the deployed model: compute data and prediction drift and quality (Evidently, whylogs, "
        "alibi-detect, SageMaker Model Monitor, Vertex model monitoring, or your own PSI/KS code) on logged "
        "predictions and alert or trigger retraining when a threshold is crossed."
    ),
    needles=_EVERY_MONITORING_NEEDLE + _DRIFT_NEEDLES + _DRIFT_CHECK_NEEDLES + _SCHEDULED_JOB_NEEDLES + _storedoutputs.WRITE_NEEDLES
    + _storedoutputs.METRIC_NEEDLES + _storedoutputs.AGGREGATE_NEEDLES + _storedoutputs.MODEL_CALL_NEEDLES,
    words=_ALERT_TEXT + RESOURCE_WORDS,
)
def monitors_model(repo: RepoIndex) -> Observation:
    """Graded: drift/quality monitoring (tools or in-house drift rules) passes; alert rules pass at
    medium confidence; operational telemetry alone (metrics, dashboards, request telemetry,
    captured or stored predictions) is partial; nothing is a fail."""
    hits = Hits((summary, call) for summary, call in matching(repo, _MONITORING.needles, _MONITORING.code_hits) if _monitors_something(repo, summary, call))
    if hits:
        return Observation.passed(f"monitoring code: {describe(hits)}", locations(hits))
    declared = resource_declarations(repo, [t for _, ev in _MONITORING.entries if ev.rule is None for t in ev.resource_types])
    if declared:
        kinds = ", ".join(sorted({kind for kind, _, _ in declared}))
        return Observation.passed(f"managed model monitoring declared as cloud resources ({kinds})", [loc for _, loc, _ in declared])
    requested = _monitoring_in_requests(repo)
    if requested:
        return Observation.passed(
            "managed model monitoring configured in a job request (skew or drift detection objectives in a model monitoring config)",
            requested,
        )
    # In-house rules that pass at medium confidence, tried in order (each only when the ones before found nothing).
    in_house: tuple[tuple[Callable[[], list[Location]], str], ...] = (
        (
            lambda: [loc for loc, _ in drift_threshold_actions(repo)],
            "in-house drift monitoring: drift statistics (PSI/CSI, KS, distances) are computed and compared with "
            "thresholds that raise alerts or triggers",
        ),
        (
            lambda: _drift_checks_on_named_values(repo),
            "in-house drift monitoring: a drift check compares the drift values it is given (named for drift) with "
            "thresholds that raise alerts or fail the run",
        ),
        (
            lambda: _quality_decay_retraining(repo),
            "model-quality monitoring in code: a quality metric (accuracy, F1, error) is compared with a threshold "
            "and retraining starts when it is crossed",
        ),
    )
    read_back: list[tuple[list[Location], list[Location]]] = []  # computed when first asked (after the rules before it)

    def stored_outputs() -> tuple[list[Location], list[Location]]:
        if not read_back:
            read_back.append(_storedoutputs.stored_outputs_read_back(repo))
        return read_back[0]

    in_house += (
        (
            lambda: stored_outputs()[0],
            "model-quality monitoring over stored outputs: the model's outputs are written to a store where they are "
            "produced and another function reads that store back and computes a quality metric over them",
        ),
    )
    for rule, message in in_house:
        where = rule()
        if where:
            return Observation.passed(message, where, confidence=Confidence.medium)
    statistics = _drift_statistics(repo)
    if statistics:
        return Observation.partly(
            f"drift statistics are computed in project code ({len(statistics)} place(s)), but no threshold on them raises "
            "an alert or starts an action: missing the alerting half of monitoring",
            statistics, confidence=Confidence.medium,
        )
    alerts, infra_alerts = _alert_rules(repo)
    cloud_alarms, infra_alarms = _cloud_alarms(repo)
    alerts, infra_alerts = alerts + cloud_alarms, infra_alerts + infra_alarms
    telemetry = _telemetry(repo)
    # A dashboard of the model service, not of the machines (node-exporter boards are infrastructure).
    all_dashboards = definition_files(repo, Kind.monitoring, Grade.partial)
    dashboards = [(t, loc) for t, loc in all_dashboards if _model_dashboard(repo, loc.path)]
    aggregated = stored_outputs()[1]
    traced = _traced_answers(repo)
    evaluated = _scheduled_evaluation_jobs(repo)
    if dashboards and not (telemetry or aggregated or traced or evaluated or _records_metrics_outside_python(repo)):
        dashboards = [(t, loc) for t, loc in dashboards if _dashboard_has_a_source(repo, loc.path)]
    if alerts:
        detail = ("alerting rules (Prometheus)" if len(alerts) > len(cloud_alarms) else "cloud metric alarms on the model service (CloudWatch, Azure Monitor, Cloud Monitoring)") + (
            f" on exported telemetry ({describe(telemetry)})" if telemetry else "")
        return Observation.passed(
            f"{detail}; no drift or quality statistics were found", alerts + locations(telemetry), confidence=Confidence.medium
        )
    node = _node_service_telemetry(repo)
    node_text = f"{', '.join(sorted({sdk for sdk, _ in node}))} initialised in {len({loc.path for _, loc in node})} Node service(s) calling a model" if node else ""
    if (telemetry or node) and not (dashboards or aggregated or traced or evaluated) and all(_service_telemetry(c) for _, c in telemetry):
        service_boards = [loc for _, loc in all_dashboards]
        return Observation.partly(
            f"service telemetry only ({'; '.join(t for t in (describe(telemetry) if telemetry else '', node_text) if t)}"
            + (f"; {len(service_boards)} dashboard(s) of request traffic and resources" if service_boards else "")
            + "): the model service is watched (requests, latency, errors), the weakest grade of monitoring; missing: "
            "anything that measures the model's predictions, inputs or quality (model metrics, drift statistics, "
            "alert rules, prediction logs)",
            locations(telemetry) + [loc for _, loc in node] + service_boards,
            confidence=Confidence.low,
        )
    if telemetry or dashboards or aggregated or traced or evaluated:
        parts = [f"telemetry: {describe(telemetry)}"] if telemetry else []
        if node:
            parts.append(node_text)
        if evaluated:
            parts.append(f"{len(evaluated)} scheduled job(s) computing the model's metrics or evaluation")
        if traced:
            parts.append(f"LLM answers traced to an observability store ({describe(traced)})")
        if dashboards:
            parts.append(f"{len(dashboards)} dashboard(s) ({', '.join(sorted({t.name for t, _ in dashboards}))})")
        if aggregated:
            parts.append(f"{len(aggregated)} function(s) aggregating the model outputs the system stores (counts, averages, group-bys)")
        return Observation.partly(
            "operational monitoring only: " + "; ".join(parts) + "; missing: alert rules and drift or quality statistics",
            locations(telemetry) + [loc for _, loc in node] + [loc for _, loc in dashboards] + aggregated + locations(traced) + evaluated,
            confidence=Confidence.medium,
        )
    if infra_alerts:
        return Observation.failed(
            "only infrastructure alerting (machine CPU, memory, disk rules); nothing monitors the model's requests, "
            "predictions or data (no drift, model alerts, model metrics or prediction logs)",
            infra_alerts,
        )
    return Observation.failed(
        "no model or data monitoring found (drift detection, monitoring jobs, alert rules, metrics, dashboards or prediction logs)"
    )


# Training named as a word or as a snake_case part of an identifier (`run_ml_training`,
# `ml_training.py`), not inside another word (`constraint`); camelCase (`runTraining`) is not read.
_TRAINING = re.compile(r"(?<![a-z])(re)?train(ing)?(?![a-z])|train\.py|train_|\bfit\b|dvc (repro|exp run)|retrain", re.IGNORECASE)
# Words of the schedules judged here (Airflow, Prefect); the scheduler APIs' come from the catalogue below.
_RETRAIN_NEEDLES = ("schedule_interval", "schedule=", "schedules=", "cron", "interval=", "rrule=", "CronTrigger")


# Rule `a chain rooted by hand` (conventions §10, session 11): a workflow started on `workflow_run`
# of other workflows runs without a person only when one of them does - on a schedule, or on
# `workflow_run` of one that does (followed a few links). A chain whose root is started by hand
# (`workflow_dispatch` only, a cron commented out) or by a code push is no retraining trigger. An
# upstream workflow not found in the repository is given the benefit of the doubt, as before.
_MAX_CHAIN = 5


def _waits_for(on: object) -> list[str]:
    """The workflows (lower-cased names) an `on:` value's `workflow_run` waits for."""
    upstream = on.get("workflow_run") if isinstance(on, dict) else None
    names = upstream.get("workflows") if isinstance(upstream, dict) else None
    return [str(n).lower() for n in (names if isinstance(names, list) else [names] if isinstance(names, str) else [])]


def _workflow_table(repo: RepoIndex, paths: list[str]) -> dict[str, tuple[set[str], list[str]]]:
    """Workflow name (its `name:`, else its file name), lower-cased -> (its events, the workflows its
    `workflow_run` waits for)."""
    table: dict[str, tuple[set[str], list[str]]] = {}
    for path in paths:
        doc = repo.yaml(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        events, value, _ = workflow_triggers(doc)
        waits = _waits_for(value)
        for key in {str(doc.data.get("name") or "").lower(), path.rsplit("/", 1)[-1].lower()} - {""}:
            table[key] = (events, waits)
    return table


def _unattended(name: str, table: dict[str, tuple[set[str], list[str]]], start: int = 0) -> bool:
    """The workflow runs without a person: on a schedule, or on `workflow_run` of one that does (up to
    _MAX_CHAIN links), or it is not in the repository (not judged here). Breadth first with a visited
    set: workflows that wait on each other many times over must not make the walk exponential."""
    seen = {name}
    frontier = [name]
    for depth in range(start, _MAX_CHAIN + 1):
        following: list[str] = []
        for current in frontier:
            if current not in table:
                return True
            events, waits = table[current]
            if "schedule" in events:
                return True
            if "workflow_run" in events and depth < _MAX_CHAIN:
                if not waits:
                    return True
                for waited in waits:
                    if waited not in seen:
                        seen.add(waited)
                        following.append(waited)
        frontier = following
    return False


def _scheduled_workflows(repo: RepoIndex) -> list[tuple[str, Location]]:
    found = []
    paths = repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml")
    table: dict[str, tuple[set[str], list[str]]] | None = None
    for path in paths:
        doc = repo.yaml(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        events, value, line = workflow_triggers(doc)
        triggers = events & (AUTOMATIC_EVENTS - {"push", "pull_request", "pull_request_target", "merge_group", "release"})
        if started_from_outside(repo, triggers):
            continue  # ciconfig's rule `dispatched from outside`
        if triggers == {"workflow_run"}:
            table = table if table is not None else _workflow_table(repo, paths)
            waits = _waits_for(value)
            if waits and not any(_unattended(w, table, 1) for w in waits):
                continue  # `a chain rooted by hand`
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


_SCHEDULE_TEXT = ("cron", "schedule")  # CronJob/CronWorkflow kinds, Azure ML schedule schemas


def _scheduled_manifests(repo: RepoIndex) -> list[tuple[str, Location]]:
    found = []
    judged: dict[str, bool] = {}  # template name -> whether it trains, judged once
    for path, doc in manifest_documents(repo, _SCHEDULE_TEXT):
        data = doc.data
        kind = data.get("kind")
        if kind in ("CronJob", "CronWorkflow") and (_TRAINING.search(str(data.get("spec"))) or _template_trains(repo, data, judged)):
            pos = doc.locate(("kind",))
            found.append((f"Kubernetes {kind}", at(path, pos[0] if pos else None)))
        schema = str(data.get("$schema") or "")
        if "schedule" in schema.lower() and isinstance(data.get("trigger"), dict) and data.get("create_job"):
            pos = doc.locate(("trigger",))
            found.append(("Azure ML schedule", at(path, pos[0] if pos else None)))
    return found


def _workflow_templates(repo: RepoIndex) -> dict[str, object]:
    """The spec of the first WorkflowTemplate (or ClusterWorkflowTemplate) of each name, in the
    manifests' order, gathered in one pass: a pass over every manifest per CronWorkflow was quadratic
    (review12: 4,000 CronWorkflows in one file took 20 s)."""
    def compute() -> dict[str, object]:
        templates: dict[str, object] = {}
        for _, doc in manifest_documents(repo, _SCHEDULE_TEXT + ("workflowtemplate",)):
            data = doc.data
            metadata = data.get("metadata")
            name = metadata.get("name") if isinstance(metadata, dict) else None
            if data.get("kind") in ("WorkflowTemplate", "ClusterWorkflowTemplate") and isinstance(name, str) and name not in templates:
                templates[name] = data.get("spec")
        return templates
    return repo.memo("argo_workflow_templates", compute)  # type: ignore[no-any-return]


def _template_trains(repo: RepoIndex, cron: dict[str, object], judged: dict[str, bool]) -> bool:
    """Round 3: an Argo CronWorkflow whose `workflowSpec.workflowTemplateRef` names a WorkflowTemplate
    (or ClusterWorkflowTemplate) of the repository that trains - named so, or running a project script
    whose code trains. The schedule lives in the CronWorkflow, the steps in the template. `judged`
    keeps each template's verdict for the other CronWorkflows naming it."""
    spec = cron.get("spec")
    workflow = spec.get("workflowSpec") if isinstance(spec, dict) else None
    ref = workflow.get("workflowTemplateRef") if isinstance(workflow, dict) else None
    name = ref.get("name") if isinstance(ref, dict) else None
    if not isinstance(name, str) or not name:
        return False
    if name not in judged:
        templates = _workflow_templates(repo)
        if name not in templates:
            judged[name] = False
        else:
            template = templates[name]
            commands = "\n".join(  # container `command` / `args` lists read as the command lines they are
                " ".join(str(v) for v in value) for _, value in _inhouse.walk_mapping(template) if isinstance(value, list) and all(isinstance(v, str) for v in value)
            )
            judged[name] = bool(_TRAINING.search(without_split_names(str(template)))) or _script_trains(repo, commands)
    return judged[name]


def _scheduled_prefect_deployments(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `scheduled deployment file`: a Prefect project file (`prefect.yaml`) whose `deployments:`
    give a flow a schedule (`schedules:` / `schedule:` with cron, interval or rrule) and whose
    entrypoint trains (its path says so, or the flow's file trains). A scheduled flow that only
    ingests or reports is not retraining."""
    found = []
    for path in repo.named("prefect.yaml", "prefect.yml"):
        doc = repo.yaml(path)
        deployments = doc.data.get("deployments") if doc is not None and isinstance(doc.data, dict) else None
        for i, deployment in enumerate(deployments if isinstance(deployments, list) else []):
            if not isinstance(deployment, dict) or not _has_schedule(deployment):
                continue
            entry = str(deployment.get("entrypoint") or "").rsplit(":", 1)[0]
            folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            flow = repo.python(folder + entry) if entry.endswith(".py") and repo.exists(folder + entry) else None
            if _TRAINING.search(entry) or (flow is not None and _code_trains(repo, flow)):
                pos = doc.locate(("deployments", i))  # type: ignore[union-attr]
                found.append(("Prefect deployment schedule", at(path, pos[0] if pos else None)))
    return found


def _has_schedule(deployment: dict[str, object]) -> bool:
    schedules = deployment.get("schedules")
    entries = schedules if isinstance(schedules, list) else [deployment.get("schedule")]
    return any(isinstance(e, dict) and e.get("active", True) is not False and any(e.get(k) for k in ("cron", "interval", "rrule")) for e in entries)


# Rule `timer-triggered function that trains` (session 12, conventions §10: "a timer-triggered
# function"): a serverless function the platform starts on a clock - an Azure Functions `timerTrigger`
# binding (`function.json`, or the Python v2 model's `@app.timer_trigger` / `@app.schedule`), a
# Serverless Framework function with a `schedule:` event, a SAM function with a `Schedule` event -
# whose code trains: its script, or a project module the script imports (a function app hands the
# work to the project's pipeline: `from run_pipeline import run_pipeline`), refits the model. A timer
# function that only ingests data or scores with a stored model is not retraining; a binding marked
# `disabled` runs nothing.
_TIMER_DECORATORS = ("timer_trigger", "schedule")
_TIMER_NEEDLES = ("timer_trigger", "azure.functions")
MAX_IMPORTED_MODULES = 12


def _imported_project_modules(repo: RepoIndex, summary: PythonSummary) -> list[PythonSummary]:
    """Project modules `summary` imports, found next to it or in a folder above it (a function app's
    root is on its path), at most MAX_IMPORTED_MODULES."""
    folders = summary.path.split("/")[:-1]
    found: list[PythonSummary] = []
    for module in summary.imports:
        relative = module.replace(".", "/")
        for depth in range(len(folders), -1, -1):
            base = "/".join(folders[:depth])
            candidates = [f"{base}/{relative}.py" if base else f"{relative}.py", f"{base}/{relative}/__init__.py" if base else f"{relative}/__init__.py"]
            hit = next((c for c in candidates if c != summary.path and repo.exists(c)), None)
            if hit is not None:
                imported = repo.python(hit)
                if imported is not None:
                    found.append(imported)
                break
        if len(found) >= MAX_IMPORTED_MODULES:
            break
    return found


def _function_trains(repo: RepoIndex, path: str, declared_in: str) -> bool:
    """The function's code at `path` (declared in `declared_in`) trains. A function of an example,
    sample or demo folder shows how to write one: nobody's system runs it (conventions §2; review12)."""
    if DEMO_FOLDER.search(declared_in) or DEMO_FOLDER.search(path):
        return False
    summary = repo.python(path) if repo.exists(path) else None
    if summary is None or is_test_path(path):
        return False
    return _code_trains(repo, summary) or any(_code_trains(repo, m) for m in _imported_project_modules(repo, summary))


def _timer_functions_that_train(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    for path in repo.named("function.json"):  # Azure Functions, v1 programming model
        data = repo.json(path)
        bindings = data.get("bindings") if isinstance(data, dict) else None
        timers = [b for b in bindings if isinstance(b, dict) and b.get("type") == "timerTrigger" and b.get("schedule")] if isinstance(bindings, list) else []
        if not timers or data.get("disabled") is True or any(b.get("disabled") is True for b in timers):
            continue
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        script = str(data.get("scriptFile") or "__init__.py")
        script_path = posixpath.normpath(posixpath.join(folder, script)) if script.endswith(".py") else None
        if script_path and not script_path.startswith("../") and _function_trains(repo, script_path, path):
            hits.append(at(path))
    for summary in _inhouse.project_code(repo.python_mentioning(*_TIMER_NEEDLES)):  # Azure Functions, v2 model
        if not summary.imports_module("azure.functions"):
            continue
        timers = [d for d in summary.decorators if d.name.rsplit(".", 1)[-1] in _TIMER_DECORATORS]
        if timers and _function_trains(repo, summary.path, summary.path):
            hits.append(at(summary.path, timers[0].line))
    for path, handler in _scheduled_handlers(repo):  # Serverless Framework and SAM functions on a schedule
        if _function_trains(repo, handler, path):
            hits.append(at(path))
    return hits


def _scheduled_handlers(repo: RepoIndex) -> list[tuple[str, str]]:
    """(declaring file, handler module path) of serverless functions started by a schedule event."""
    found: list[tuple[str, str]] = []
    for path, doc in _inhouse.yaml_mappings(repo, ("schedule",)):
        data = doc.data  # type: ignore[attr-defined]
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        functions = data.get("functions") if data.get("provider") is not None else None
        for spec in functions.values() if isinstance(functions, dict) else []:
            events = spec.get("events") if isinstance(spec, dict) else None
            if isinstance(events, list) and any(isinstance(e, dict) and _enabled_schedule(e.get("schedule")) for e in events):
                module = _handler_module(str(spec.get("handler") or ""), folder)
                if module:
                    found.append((path, module))
        resources = data.get("Resources")
        for resource in resources.values() if isinstance(resources, dict) else []:
            props = resource.get("Properties") if isinstance(resource, dict) else None
            if not isinstance(props, dict) or resource.get("Type") != "AWS::Serverless::Function":
                continue
            events = props.get("Events")
            if isinstance(events, dict) and any(
                isinstance(e, dict) and e.get("Type") in ("Schedule", "ScheduleV2")
                and (e.get("Properties") or {}).get("Enabled", True) is not False and (e.get("Properties") or {}).get("State") != "DISABLED"
                for e in events.values()
            ):
                code = props.get("CodeUri") if isinstance(props.get("CodeUri"), str) else ""
                module = _handler_module(str(props.get("Handler") or ""), "/".join(p for p in (folder, code.strip("/")) if p))
                if module:
                    found.append((path, module))
    return found


# Rule `scheduled command runs a training script` (session 12): a GitHub Actions workflow on a schedule
# (or chained to one) or a line of the project's cron table runs a command that trains - named so
# (`python train.py`, `make retrain`, `dvc repro`), reached through a task runner (`make pipeline` whose
# recipe runs `python -m src.train`), or a Python script of the project whose own code starts training
# (`python -m pipeline.run` where run.py calls `train_model(...)` or `.fit(...)`). A scheduled script
# that loads a model and predicts, or one that only mentions training in its text, is not retraining.
_TRAINING_CALL = re.compile(
    r"^(?:re)?train(?:_?(?:models?|pipeline|flow|job|all|and_\w+))?$|^fit$|^run_(?:re)?training\w*$|^(?:start|trigger|launch)_(?:re)?training\w*$",
    re.IGNORECASE,
)
MAX_RESOLVED_SCRIPTS = 20


def _runs_training(summary: PythonSummary) -> bool:
    """The module's own code calls something that trains (`train(...)`, `train_model(...)`, `.fit(...)`)."""
    return any(_TRAINING_CALL.match(c.name.rsplit(".", 1)[-1]) for c in summary.calls)


def _script_trains(repo: RepoIndex, command: str) -> bool:
    from mlops_audit.evidence.repo.detectors._workflowsteps import scripts_named

    for tail in scripts_named(command)[:MAX_RESOLVED_SCRIPTS]:
        for path in python_files_ending(repo, tail.lstrip("/")):
            summary = None if is_test_path(path) else repo.python(path)
            if summary is not None and not summary.is_notebook and _runs_training(summary):
                return True
    return False


MAX_SCRIPTS_PER_TAIL = 3


_TailNode = tuple[dict[str, "_TailNode"], list[str]]


def _python_files_by_tail(repo: RepoIndex) -> _TailNode:
    """The Python files by their path read from the end, as a tree of segments: each node keeps the
    first MAX_SCRIPTS_PER_TAIL files (listing order) ending in the segments that lead to it. Built once
    per index in one pass over every file's segments: a scan of every file per command was quadratic
    in a repository of many files and many scheduled commands (review12: 8,000 of each took 7 s)."""
    def compute() -> _TailNode:
        root: _TailNode = ({}, [])
        for path in repo.python_files():
            node = root
            for part in reversed(path.split("/")):
                node = node[0].setdefault(part, ({}, []))
                if len(node[1]) < MAX_SCRIPTS_PER_TAIL:
                    node[1].append(path)
        return root
    return repo.memo("python_files_by_tail", compute)  # type: ignore[no-any-return]


def python_files_ending(repo: RepoIndex, tail: str) -> list[str]:
    """The first MAX_SCRIPTS_PER_TAIL Python files (listing order) that are `tail` or end in `/tail`."""
    node: _TailNode | None = _python_files_by_tail(repo)
    for part in reversed(tail.split("/")):
        node = node[0].get(part) if node is not None else None
    return node[1] if node is not None else []


def _scheduled_commands_that_train(repo: RepoIndex) -> list[tuple[str, Location]]:
    from mlops_audit.evidence.repo.detectors._workflowsteps import cron_commands

    found = _workflow_training(repo, lambda path: _workflow_runs_unattended(repo, path), "scheduled GitHub Actions workflow runs training")
    for text, loc in cron_commands(repo):
        if _TRAINING.search(text) or _script_trains(repo, text):
            found.append(("cron table entry runs training", loc))
            break
    return found


# Rule `systemd timer that trains` (session 12, round 3 from batch 19): a systemd timer unit (`*.timer`,
# or a `*.timer.template` the deploy fills in) with `OnCalendar=` or `OnUnitActiveSec=` starts its
# service unit (the same name, or `Unit=`), whose `ExecStart=` trains. A timer of a backup or a
# scoring job is not retraining.
_TIMER_UNIT = re.compile(r"\.timer(\.template|\.in|\.j2)?$")
_TIMER_KEYS = re.compile(r"^[^\S\n]*(OnCalendar|OnUnitActiveSec|OnBootSec)\s*=\s*\S", re.MULTILINE)
_UNIT_KEY = re.compile(r"^[^\S\n]*Unit\s*=\s*(\S+)", re.MULTILINE)
_EXEC_START = re.compile(r"^[^\S\n]*ExecStart\s*=\s*(.+)$", re.MULTILINE)


def _systemd_timers_that_train(repo: RepoIndex) -> list[tuple[str, Location]]:
    found: list[tuple[str, Location]] = []
    for path in repo.with_suffix(".timer", ".template", ".in", ".j2"):  # the index's suffix table, not a walk
        if not _TIMER_UNIT.search(path) or is_test_path(path) or repo.size(path) > MAX_SCRIPT_BYTES:
            continue
        text = repo.text(path) or ""
        if not _TIMER_KEYS.search(text):
            continue
        folder, name = (path.rsplit("/", 1) if "/" in path else ("", path))
        unit = _UNIT_KEY.search(text)
        service = unit.group(1) if unit else _TIMER_UNIT.sub(lambda m: ".service" + (m.group(1) or ""), name)
        service_path = f"{folder}/{service}" if folder else service
        commands = _EXEC_START.findall(repo.text(service_path) or "") if repo.exists(service_path) else []
        if any(_TRAINING.search(c) or _script_trains(repo, c) for c in commands):
            found.append(("systemd timer starts training", at(path)))
    return found


# Rule `training on new data` (session 12, round 2; conventions §10 "new data arriving"): a GitHub
# Actions workflow on `push` whose training runs only when the data changed - its `on.push.paths` are
# all data files (DVC pointers `*.dvc`, `dvc.lock`, `data/...`), or a changed-files step
# (tj-actions/changed-files, dorny/paths-filter) watches data files to gate the job - and whose steps
# train. A new data version pushed starts retraining without a person. Not: a workflow whose paths
# include code (a code push reruns training), a data workflow on pull requests that reports dataset
# statistics, a data-change workflow that does not train.
_DATA_PATH = re.compile(r"\.dvc['\"]?$|dvc\.lock|^['\"]?(\*\*/)?(data|datasets?)/", re.IGNORECASE)
_CHANGED_FILES_ACTIONS = ("tj-actions/changed-files", "dorny/paths-filter")


def _push_paths(value: object) -> list[str]:
    push = value.get("push") if isinstance(value, dict) else None
    paths = push.get("paths") if isinstance(push, dict) else None
    return [str(p) for p in paths] if isinstance(paths, list) else []


def _data_gate(data: dict[str, object], on: object) -> bool:
    paths = _push_paths(on)
    if paths and all(_DATA_PATH.search(p.strip()) for p in paths):
        return True
    for job in (data.get("jobs") or {}).values() if isinstance(data.get("jobs"), dict) else []:
        for step in job.get("steps") or [] if isinstance(job, dict) else []:
            if isinstance(step, dict) and str(step.get("uses") or "").lower().startswith(_CHANGED_FILES_ACTIONS):
                watched = str(step.get("with") or "")
                if any(_DATA_PATH.search(w.strip(" -'\"")) for w in re.split(r"[\n,]|\\n", watched)):
                    return True
    return False


def _gated_on_data(repo: RepoIndex, path: str) -> bool:
    doc = repo.yaml(path)
    if doc is None or not isinstance(doc.data, dict):
        return False
    events, value, _ = workflow_triggers(doc)
    return "push" in events and _data_gate(doc.data, value)


def _training_on_new_data(repo: RepoIndex) -> list[tuple[str, Location]]:
    return _workflow_training(
        repo, lambda path: _gated_on_data(repo, path), "GitHub Actions workflow retrains when new data is pushed (paths or changed-files on data files)"
    )


def _workflow_training(repo: RepoIndex, qualifies: Callable[[str], bool], why: str) -> list[tuple[str, Location]]:
    """The first command of a GitHub Actions workflow that `qualifies` which trains: named so, reached
    through a task runner, or a project script whose code trains."""
    judged: dict[str, bool] = {}
    for command in ci_run_commands(repo):
        workflow = command.ci_path or command.path
        if not workflow.startswith(".github/workflows/"):
            continue
        if workflow not in judged:
            judged[workflow] = qualifies(workflow)
        if judged[workflow] and (_TRAINING.search(command.text) or _script_trains(repo, command.text)):
            return [(why + (f" (through {command.via})" if command.via else ""), at(command.path, command.line))]
    return []


def _workflow_runs_unattended(repo: RepoIndex, path: str) -> bool:
    """A GitHub Actions workflow started on a schedule, or on `workflow_run` of one that is (the rule
    `a chain rooted by hand` applies), and not dispatched from outside."""
    doc = repo.yaml(path)
    if doc is None or not isinstance(doc.data, dict):
        return False
    events, value, _ = workflow_triggers(doc)
    triggers = events & {"schedule", "workflow_run"}
    if not triggers or started_from_outside(repo, triggers):
        return False
    if triggers == {"workflow_run"}:
        waits = _waits_for(value)
        paths = repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml")
        return not waits or any(_unattended(w, _workflow_table(repo, paths), 1) for w in waits)
    return True


# Rule `scheduled Databricks job that trains` (session 12): a Databricks job - an Asset Bundle's
# `resources.jobs` (databricks.yml and the files it includes), a dbx deployment file, or a Terraform
# `databricks_job` - on a cron schedule (`quartz_cron_expression`) or a trigger (periodic, new files
# arriving, a table updated), not paused, whose tasks train (a task key, notebook, Python file or
# entry point named for training). A scheduled job of data preparation or batch scoring is not.
_DATABRICKS_WORDS = ("quartz_cron_expression", "file_arrival")
_DATABRICKS_TRIGGERS = ("periodic", "file_arrival", "table_update", "table")


def _active(section: object) -> bool:
    return isinstance(section, dict) and str(section.get("pause_status") or "").upper() != "PAUSED"


def _scheduled_databricks_jobs(repo: RepoIndex) -> list[tuple[str, Location]]:
    found: list[tuple[str, Location]] = []
    for path, doc in _inhouse.yaml_mappings(repo, _DATABRICKS_WORDS):
        for key_path, job in _inhouse.walk_mapping(doc.data):  # type: ignore[attr-defined]
            if not isinstance(job, dict) or not isinstance(job.get("tasks"), list):
                continue
            schedule, trigger = job.get("schedule"), job.get("trigger")
            scheduled = (_active(schedule) and bool(schedule.get("quartz_cron_expression"))) or (  # type: ignore[union-attr]
                _active(trigger) and any(trigger.get(k) for k in _DATABRICKS_TRIGGERS)  # type: ignore[union-attr]
            )
            if scheduled and _TRAINING.search(without_split_names(str(job.get("tasks")))):
                pos = doc.locate(key_path)  # type: ignore[attr-defined]
                found.append(("scheduled Databricks job", at(path, pos[0] if pos else None)))
    for _, loc, text in resource_declarations(repo, ["databricks_job"]):
        if "quartz_cron_expression" in text and not re.search(r"pause_status\s*=\s*\"PAUSED\"", text) and _TRAINING.search(without_split_names(text)):
            found.append(("scheduled Databricks job (Terraform)", loc))
    return found


def _enabled_schedule(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, dict) and bool(value.get("rate")) and value.get("enabled", True) is not False


def _handler_module(handler: str, folder: str) -> str | None:
    """`src/train.handler` declared in `folder` -> `folder/src/train.py`."""
    module, _, function = handler.strip().rpartition(".")
    if not module or not function:
        return None
    module = module.removeprefix("./")
    if "/" not in module:
        module = module.replace(".", "/")
    path = posixpath.normpath(posixpath.join(folder, module + ".py")) if folder else posixpath.normpath(module + ".py")
    return None if path.startswith("../") else path


_SCHEDULERS = [(tool, ev) for tool, ev in vocabulary(Kind.retraining_trigger, None).entries if ev.rule == "scheduled code that trains"]
_RETRAIN_NEEDLES = _RETRAIN_NEEDLES + tuple(dict.fromkeys(n for _, ev in _SCHEDULERS for n in ev.needles if n not in _RETRAIN_NEEDLES))


def _scheduled_code(summary: PythonSummary) -> list[Call]:
    found: list[Call] = []
    for tool, ev in _SCHEDULERS:  # catalogue/pipelines.yaml: scheduler APIs (KFP recurring runs, Vertex, Dagster...)
        found += summary.calls_to(*ev.calls) + summary.decorated_by(*ev.decorators) if ev.calls or ev.decorators else []
        if ev.methods and summary.imports_module(*tool.imports):
            found += summary.calls_named(*ev.methods)
    # Airflow DAGs with a real schedule (not None / "@once") that train; Airflow 3 authors them through
    # `airflow.sdk` (`from airflow.sdk import DAG, dag`).
    for call in summary.calls_to("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG", "airflow.sdk.DAG", "airflow.decorators.dag", "airflow.sdk.dag"):
        schedule = call.keyword("schedule_interval") if call.has_keyword("schedule_interval") else call.keyword("schedule")
        if schedule not in (None, "@once") and (call.has_keyword("schedule") or call.has_keyword("schedule_interval")):
            found.append(call)
    for dec in summary.decorated_by("airflow.decorators.dag", "airflow.sdk.dag"):
        schedule = dec.keyword("schedule") if dec.has_keyword("schedule") else dec.keyword("schedule_interval")
        if schedule not in (None, "@once") and (dec.has_keyword("schedule") or dec.has_keyword("schedule_interval")):
            found.append(dec)
    if summary.imports_module("prefect"):
        for call in summary.calls_named("serve", "deploy", "to_deployment", "build_from_flow", "Deployment", "DeploymentSpec"):
            if any(call.has_keyword(k) for k in ("cron", "interval", "rrule", "schedule", "schedules")):
                found.append(call)
    return found


# "train" as the name of a data split, not an action: `train.parquet`, `processed/train/`,
# `--output-train`, `train_test_split`, `train_df`. Left out of the text before looking for training.
_TRAIN_SPLIT = re.compile(
    r"[\w./-]*\btrain(ing)?[\w-]*\.(parquet|csv|tsv|json|jsonl|npy|npz|pkl|pickle|feather|arrow|tfrecords?|txt|h5)\b"
    r"|[\w.-]*/train(ing)?/|--[\w-]*train[\w-]*|\btrain_test_split\b|\btrain(ing)?_(df|data|set|split|path|file|dir|x|y|ds|dataset|size|ratio|frac)\w*\b"
    r"|\b[XxYy]_train\w*\b",  # the training split's features and labels (`X_train`, `y_train_scaled`)
    re.IGNORECASE,
)
# Every match of _TRAIN_SPLIT lies inside one run of path characters (a token), so it is applied per
# token that mentions "train" (review12): over a whole file its open leading runs were tried from every
# position of a long run (quadratic: 20 KB of dashes took 13 s, a capped file hours). A token longer
# than any path or flag (MAX_SPLIT_TOKEN) is left out whole: it names nothing that trains.
_PATH_TOKEN = re.compile(r"[\w./-]+")
_TRAIN_WORD = re.compile("train", re.IGNORECASE)
MAX_SPLIT_TOKEN = 128


def _split_token(match: re.Match[str]) -> str:
    token = match.group()
    if not _TRAIN_WORD.search(token):
        return token
    return " " if len(token) > MAX_SPLIT_TOKEN else _TRAIN_SPLIT.sub(" ", token)


def without_split_names(text: str) -> str:
    """`text` with the names of training data splits (see _TRAIN_SPLIT) replaced by a space."""
    return _PATH_TOKEN.sub(_split_token, text)


# Docstrings and comments talk about training (`"""...the validation data used in training"""`,
# `# retrain the model with new data`): a module that only mentions it does not train (session 12).
_PROSE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|(?m:^[ \t]*#.*$)')


def _code_trains(repo: RepoIndex, summary: PythonSummary) -> bool:
    if _TRAINING.search(summary.path):
        return True
    if any(_TRAINING.search(name.rsplit(".", 1)[-1]) for name in summary.resolved_names):
        return True
    text = repo.text(summary.path) if not summary.is_notebook else None
    return bool(text and re.search(r"(?<![A-Za-z])train", without_split_names(_PROSE.sub(" ", text))))


_MONITORING_TRIGGER_NEEDLES = (
    "drift", "drift_detected", "is_drift", "data_drift", "decay", "retrain", "retraining", "start_retraining",
    "should_retrain", "needs_retraining", "retrain_needed", "trigger", "triggers", "triggered",
)
# Parts of the names an `if` tests (split at `_`, `.` and case changes). "decay" alone is not enough:
# learning-rate and weight decay are training settings, so it needs monitoring nearby like a flag.
_DRIFT_TEST = re.compile(r"^(drift\w*|drifted|psi|csi|degrad\w*|alerts?|alarms?|anomal\w*)$", re.IGNORECASE)
_TRIGGER_TEST = re.compile(r"^(triggers?|triggered|retrain\w*|decay\w*)$", re.IGNORECASE)


# A call that starts training: `train(...)`, `train_model(...)`, `training.run(...)`, `trainer.train()`,
# `retrain(...)`, `model.fit(...)`; not `save_pretrained` or `fit_transform`.
_STARTS_TRAINING = re.compile(r"(^|[._])(re)?train(ing|er)?([._]|$)|(^|\.)fit$", re.IGNORECASE)
_TYPE_TESTS = frozenset({"isinstance", "issubclass", "hasattr", "type", "callable"})


def _test_words(test: ast.AST) -> set[str]:
    """Names and short strings an `if` tests, leaving out type dispatch (`isinstance(d, KSDrift)`
    says what a thing is, not that drift was found)."""
    found: set[str] = set()
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and _inhouse.call_name(node) in _TYPE_TESTS:
            continue
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 64:
            found.add(node.value)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _name_parts(names: set[str]) -> set[str]:
    parts: set[str] = set()
    for name in names:
        for piece in re.split(r"[_.\s\-]+|(?<=[a-z])(?=[A-Z])", name):
            if piece:
                parts.add(piece.lower())
    return parts
_MONITOR_CALL = re.compile(r"monitor|drift|detect", re.IGNORECASE)
_TRIGGER_SECTION = re.compile(r"^(re)?train(ing)?$|^retrain\w*|trigger", re.IGNORECASE)


# A model-quality metric compared with a threshold (`if accuracy <= 0.7:`, `if f1 < MIN_F1:`).
_QUALITY_METRIC = re.compile(r"^(acc|accuracy|f1|auc|roc_auc|rmse|mae|mape|mse|r2|precision|recall|performance)$", re.IGNORECASE)


def _quality_threshold(test: ast.AST) -> bool:
    """The test compares a value named for a model-quality metric (`accuracy`, `daily_accuracy`,
    `val_f1`) with a number or a threshold-named value."""
    for node in walk(test):
        if not isinstance(node, ast.Compare) or not isinstance(node.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            continue
        operands = [node.left, *node.comparators]
        metric = [o for o in operands if isinstance(o, (ast.Name, ast.Attribute)) and any(
            _QUALITY_METRIC.match(p) for p in _name_parts({_inhouse.last_name(o)}))]
        if metric and any(_is_threshold(o) for o in operands if o not in metric):
            return True
    return False


def _training_started_by_monitoring(repo: RepoIndex) -> list[Location]:
    return [loc for loc, _ in _monitoring_starts_training(repo)]


def _quality_decay_retraining(repo: RepoIndex) -> list[Location]:
    return [loc for loc, why in _monitoring_starts_training(repo) if why == "quality"]


def _monitoring_starts_training(repo: RepoIndex) -> list[tuple[Location, str]]:
    return repo.memo("monitoring_starts_training", lambda: _read_monitoring_starts_training(repo))  # type: ignore[no-any-return]


def _read_monitoring_starts_training(repo: RepoIndex) -> list[tuple[Location, str]]:
    """Rule `drift-triggered training in code`: an `if` on a monitoring outcome (drift, decay, an
    alert, or a trigger/retrain flag in code that also runs monitoring) whose branch starts training
    (`train(...)`, `training.run(...)`, `model.fit(...)`, `retrain(...)`). A flag a person sets
    (`if args.retrain:`) without monitoring in the same function, a drift check that only prints,
    and a CI job on push are not such triggers.
    Rule `quality decay starts retraining`: in code about retraining (it names retraining, triggers
    or drift), an `if` comparing a model-quality metric with a threshold (`if accuracy <= 0.7:`)
    whose branch starts training: the deployed model's quality is watched and acted on.
    Returns (where, "drift" | "flag" | "quality")."""
    hits: list[tuple[Location, str]] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_MONITORING_TRIGGER_NEEDLES)):
        if not any(_STARTS_TRAINING.search(name) for name in summary.resolved_names):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        for _, func in _inhouse.functions(module):
            monitors = any(_MONITOR_CALL.search(_inhouse.dotted(c.func) or "") for c in _inhouse.calls_in(func)) or bool(
                drift_in_function(repo, summary.path, func.name)
            )
            for node in walk(func):
                if not isinstance(node, ast.If):
                    continue
                test = _name_parts(_test_words(node.test))
                drift = any(_DRIFT_TEST.match(p) for p in test)
                flag = any(_TRIGGER_TEST.match(p) for p in test)
                quality = not drift and not flag and _quality_threshold(node.test)
                if not (drift or quality or (flag and monitors)):
                    continue
                body_calls = [c for stmt in node.body for c in _inhouse.calls_in(stmt)]
                if any(_STARTS_TRAINING.search(_inhouse.dotted(c.func) or "") for c in body_calls):
                    hits.append((at(summary.path, node.lineno), "drift" if drift else "quality" if quality else "flag"))
    return hits


# Rule `drift signals retraining`: a function that compares drift with thresholds and acts (the
# in-house drift rule) hands retraining to another process: it writes a signal named for retraining
# (`save_bytes(LOCK_KEY, ...)` with `LOCK_KEY = f"{DIR}/retrain_lock.flag"`, `queue.publish("retrain", ...)`)
# or raises a retrain flag (`retrain_requested = True`), and another project module named for
# retraining trains. A flag nothing in the repository follows is not a trigger.
_SIGNAL_CALL = re.compile(r"(^|[._])(save\w*|put\w*|write\w*|publish\w*|send\w*|upload\w*|touch|set|enqueue|submit|push)$", re.IGNORECASE)
_RETRAIN_WORD = re.compile(r"retrain", re.IGNORECASE)


def _names_retraining(node: ast.AST, strings: dict[str, str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_RETRAIN_WORD.search(node.value))
    if isinstance(node, ast.Name):
        return bool(_RETRAIN_WORD.search(node.id) or _RETRAIN_WORD.search(strings.get(node.id, "")))
    return isinstance(node, ast.Attribute) and bool(_RETRAIN_WORD.search(node.attr))


def _retraining_signals(repo: RepoIndex) -> list[Location]:
    by_file: dict[str, set[str]] = {}
    for loc, func in drift_threshold_actions(repo):
        by_file.setdefault(loc.path, set()).add(func)
    hits: list[Location] = []
    for path, names in sorted(by_file.items()):
        if DEMO_FOLDER.search(path):
            continue  # an example's drift check signals no system's retraining
        module = _inhouse.tree(repo, path)
        if module is None:
            continue
        strings = _module_strings(module)
        for _, func in _inhouse.functions(module):
            if func.name not in names:
                continue
            for node in walk(func):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is True:
                    if any(_names_retraining(t, strings) for t in node.targets):
                        hits.append(at(path, node.lineno))
                elif isinstance(node, ast.Call) and _SIGNAL_CALL.search(_inhouse.call_name(node)):
                    if any(_names_retraining(a, strings) for a in [*node.args, *(k.value for k in node.keywords)]):
                        hits.append(at(path, node.lineno))
    if not hits:
        return []
    named = {p for p in repo.python_files() if _RETRAIN_WORD.search(p.rsplit("/", 1)[-1]) and p not in by_file}
    trainers = ("fit", "train", "train_model", "retrain", "trainer")  # identifiers a training call names
    follower = next(  # the first is enough: the scan is lazy, so later candidates are never parsed
        (s for s in _inhouse.project_code(repo.python_scan(*trainers, within=named) if named else [])
         if any(_STARTS_TRAINING.search(name) for name in s.resolved_names)),
        None,
    )
    return hits + [at(follower.path)] if follower is not None else []


def drift_in_function(repo: RepoIndex, path: str, name: str) -> list[Location]:
    return [loc for loc, func in drift_threshold_actions(repo) if loc.path == path and func == name]


# Calls that start a run of an ML pipeline on a managed orchestrator.
_PIPELINE_RUN_NEEDLES = (
    "create_run_from_job_spec", "start_pipeline_execution", "create_run_from_pipeline_package",
    "create_run_from_pipeline_func", "run_pipeline", "PipelineJob",
)
_STARTS_PIPELINE_RUN = re.compile(r"(^|\.)(create_run_from_job_spec|start_pipeline_execution|create_run_from_pipeline_package|create_run_from_pipeline_func|run_pipeline)$")
_PIPELINE_JOB = ("google.cloud.aiplatform.PipelineJob", "google.cloud.aiplatform.pipeline_jobs.PipelineJob")  # the class and its module's name for it
def _pipeline_runs_started_by_events(repo: RepoIndex) -> list[Location]:
    """Rule `event-triggered pipeline run`: an event handler (a Lambda or Cloud Function, fed by a
    schedule, a Pub/Sub message or a storage event) whose body starts a pipeline run
    (`create_run_from_job_spec`, `start_pipeline_execution`, `PipelineJob(...).submit()`), itself or
    through the module's own helpers it calls (at most MAX_HELPER_DEPTH deep). Starting
    a run from a script a person executes, or a handler that only logs, is not a trigger."""
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_PIPELINE_RUN_NEEDLES)):
        starts = [c for c in summary.calls if c.scope and (_STARTS_PIPELINE_RUN.search(c.name) or c.name in _PIPELINE_JOB or c.name.startswith(tuple(j + "(" for j in _PIPELINE_JOB)))]
        if not starts:
            continue
        functions = list(_inhouse.functions_of(repo, summary.path))
        callees: dict[str, set[str]] = {}  # function -> the names it calls (last part), for the module's own helpers
        for call in summary.calls:
            if call.scope:
                callees.setdefault(call.scope, set()).add(call.name.rsplit(".", 1)[-1])
        for _, func in functions:
            decorator_lines = {d.lineno for d in func.decorator_list}
            names = {d.name for d in summary.decorators if d.line in decorator_lines}  # import-resolved
            if not _inhouse.event_handler(func, names):
                continue
            reached = _reached_helpers(func.name, callees, {f.name for _, f in functions})
            in_handler = [c for c in starts if c.scope == func.name or c.scope in reached]
            if in_handler:
                hits.append(at(summary.path, func.lineno))
                hits.extend(at(summary.path, c.line) for c in in_handler)
    return hits


MAX_HELPER_DEPTH = 2


def _reached_helpers(handler: str, callees: dict[str, set[str]], module_functions: set[str]) -> set[str]:
    """The module's own functions a handler calls, directly or through one more of them (a handler
    that decodes the message and hands it to `trigger_pipeline(...)`, which starts the run)."""
    reached: set[str] = set()
    frontier = {handler}
    for _ in range(MAX_HELPER_DEPTH):
        frontier = {name for f in frontier for name in callees.get(f, ()) if name in module_functions and name != handler} - reached
        reached |= frontier
    return reached


_EVENT_RULE = "event rule starts training"
_EVENT_RULES = [(tool, ev) for tool, ev in vocabulary(Kind.retraining_trigger, None).entries if ev.rule == _EVENT_RULE]
_EVENT_RULE_NEEDLES = tuple(dict.fromkeys(n for _, ev in _EVENT_RULES for n in ev.needles))
_STARTS_TRAINING_TEXT = re.compile(
    r"SageMakerPipeline|StartPipelineExecution|start_pipeline_execution|pipelineJobs|PipelineJob|\b(re)?train(ing)?\b|[-_](re)?train|"
    r"training[-_]?(job|pipeline)|CreateTrainingJob|create_training_job",
    re.IGNORECASE,
)


def _event_rules_starting_training(repo: RepoIndex) -> list[Location]:
    """Rule `event rule starts training`: an EventBridge/CloudWatch Events rule, an EventBridge
    schedule or a Cloud Scheduler job (declared in CloudFormation/SAM or Terraform, or created in
    code with put_rule/put_targets, CDK events.Rule or CloudSchedulerClient.create_job) whose
    target or surrounding code starts training (a SageMaker pipeline, a Vertex PipelineJob, a
    training job, something named train/retrain). A rule that only notifies is not a trigger."""
    types = [t for _, ev in _EVENT_RULES for t in ev.resource_types]
    hits = [loc for _, loc, text in resource_declarations(repo, types) if _STARTS_TRAINING_TEXT.search(text)]
    for summary in _inhouse.project_code(repo.python_mentioning(*_EVENT_RULE_NEEDLES)):
        for tool, ev in _EVENT_RULES:
            calls = summary.calls_to(*ev.calls) + (summary.calls_named(*ev.methods) if summary.imports_module(*tool.imports) else [])
            if calls:
                lines = (repo.text(summary.path) or "").splitlines()
                spans = [(f.lineno, f.end_lineno or f.lineno) for _, f in _inhouse.functions_of(repo, summary.path)]
                hits.extend(at(summary.path, c.line) for c in calls if _STARTS_TRAINING_TEXT.search(_enclosing_text(lines, spans, c.line)))
    return hits + _scheduler_jobs_created_by_commands(repo)


_SCHEDULER_COMMANDS = command_pattern(c for _, ev in _EVENT_RULES for c in ev.ci_commands)
MAX_SCRIPT_BYTES = 256 * 1024


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of a shell text's commands, backslash continuations joined."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        pending.append(line[:-1] if line.endswith("\\") else line)
        if not line.endswith("\\"):
            out.append((start, " ".join(pending)))
            pending = []
    if pending:
        out.append((start, " ".join(pending)))
    return out


def _scheduler_jobs_created_by_commands(repo: RepoIndex) -> list[Location]:
    """Rule `event rule starts training`, for scheduler jobs created by command (`gcloud scheduler
    jobs create http|pubsub ...` in CI, through a task runner, or in a shell script): the command
    itself must start training (its target URI, topic or message names a training pipeline or a
    retraining). A job that only pings a service is not a trigger."""
    texts: list[tuple[str, int | None, str]] = [(c.path, c.line, c.text) for c in ci_run_commands(repo)]
    for path in repo.with_suffix(".sh", ".bash"):
        if not is_test_path(path) and repo.size(path) <= MAX_SCRIPT_BYTES:
            texts.append((path, None, repo.text(path) or ""))
    hits: list[Location] = []
    for path, line, text in texts:
        if "scheduler" not in text:
            continue
        for offset, command in _logical_lines(text):
            if command.lstrip().startswith("#"):
                continue
            match = _SCHEDULER_COMMANDS.search(command)
            if match and _STARTS_TRAINING_TEXT.search(command[match.end():]):
                hits.append(at(path, line if line is not None else offset))
    return hits


def _enclosing_text(lines: list[str], spans: list[tuple[int, int]], line: int) -> str:
    """The innermost function around `line` (the module outside functions): a generic helper that
    schedules whatever pipeline it is handed (`schedule_pipeline(pipeline_name)`) does not start
    training because some other function of its module mentions a training pipeline."""
    around = [(start, end) for start, end in spans if start <= line <= end]
    if not around:
        inside = {n for start, end in spans for n in range(start, end + 1)}
        return "\n".join(text for n, text in enumerate(lines, start=1) if n not in inside)
    start, end = max(around)  # the innermost starts last
    return "\n".join(lines[start - 1:end])


_TRIGGER_CONFIG_WORDS = ("trigger", "retrain")


def _declared_trigger_rules(repo: RepoIndex) -> list[Location]:
    """Configuration that declares when to retrain (`retraining: {triggers: [drift, decay]}`,
    `retrain_triggers`, `drift_threshold` under a retraining section): supporting evidence only."""
    found = []
    for path, doc in _inhouse.yaml_mappings(repo, _TRIGGER_CONFIG_WORDS):
        for key_path, value in _inhouse.walk_mapping(doc.data):  # type: ignore[attr-defined]
            keys = [str(k) for k in key_path if isinstance(k, str)]
            if not keys or isinstance(key_path[-1], int):
                continue
            last = keys[-1].lower()
            in_section = any(_TRIGGER_SECTION.search(k) for k in keys[:-1])
            names_trigger = "trigger" in last or (in_section and ("threshold" in last or "drift" in last))
            if names_trigger and (in_section or "retrain" in last) and value not in (None, [], {}, False, ""):
                pos = doc.locate(key_path)  # type: ignore[attr-defined]
                found.append(at(path, pos[0] if pos else None))
    return found



# Rule `an example's schedule` (session 13; conventions §2 and §10): a schedule, trigger or scheduled
# code in an example, sample, tutorial, demo or sandbox folder (`examples/k8s/cronjob.yaml`,
# `samples/dags/retrain.py`) shows how to retrain on a schedule; no system of the repository runs it.
# Such folders are on neither side, as for separation of duties and the timer-triggered functions.
def _outside_demos(found: list[tuple[str, Location]]) -> list[tuple[str, Location]]:
    return [(kind, loc) for kind, loc in found if not DEMO_FOLDER.search(loc.path)]


def _demos_left_out(locations: list[Location]) -> list[Location]:
    return [loc for loc in locations if not DEMO_FOLDER.search(loc.path)]


@detector(
    id="triggers_retraining",
    title="Is training started automatically by a schedule, an event or drift (not only by a code push)?",
    kind=Kind.retraining_trigger,
    remediation=(
        "Trigger retraining without a person: a scheduled pipeline run (Airflow schedule, Kubeflow recurring run, "
        "Vertex/SageMaker pipeline schedule, CI `on: schedule`) or an event/drift alert that starts the training pipeline."
    ),
    confidence=Confidence.medium,
    needles=_RETRAIN_NEEDLES + _MONITORING_TRIGGER_NEEDLES + _PIPELINE_RUN_NEEDLES + _EVENT_RULE_NEEDLES + DAG_TRIGGER_NEEDLES + _TIMER_NEEDLES,
    words=_SCHEDULE_TEXT + _TRIGGER_CONFIG_WORDS + RESOURCE_WORDS + _DATABRICKS_WORDS + ("workflowtemplate",),
)
def triggers_retraining(repo: RepoIndex) -> Observation:
    found = _outside_demos(_scheduled_workflows(repo) + _scheduled_manifests(repo) + _scheduled_prefect_deployments(repo) + _scheduled_databricks_jobs(repo))
    if not found:
        found = (
            _outside_demos(_scheduled_commands_that_train(repo)) or _outside_demos(_training_on_new_data(repo))
            or _outside_demos(_systemd_timers_that_train(repo))
        )
    code = Hits(
        (s, c) for s, c in matching(repo, _RETRAIN_NEEDLES, _scheduled_code)
        if not DEMO_FOLDER.search(s.path) and _code_trains(repo, s) and not schedule_left_to_callers(repo, s.path, c.line)
    )
    if found or code:
        parts = sorted({k for k, _ in found}) + ([f"scheduled training in code ({describe(code)})"] if code else [])
        return Observation.passed("; ".join(parts), [loc for _, loc in found] + locations(code))
    timers = _timer_functions_that_train(repo)
    if timers:
        return Observation.passed(
            "a serverless function started on a timer (Azure Functions timer trigger, Serverless/SAM schedule event) runs "
            "code that trains",
            timers, confidence=Confidence.medium,
        )
    by_event = _demos_left_out(_pipeline_runs_started_by_events(repo))
    if by_event:
        return Observation.passed(
            "an event handler (Cloud Function/Lambda: schedule, Pub/Sub or storage events) starts a pipeline run",
            by_event, confidence=Confidence.medium,
        )
    dags = _demos_left_out(scheduled_dag_triggers(repo, lambda s: _code_trains(repo, s)))
    if dags:
        return Observation.passed("a scheduled Airflow DAG triggers the DAG that trains (TriggerDagRunOperator)", dags, confidence=Confidence.medium)
    rules = _demos_left_out(_event_rules_starting_training(repo))
    if rules:
        return Observation.passed(
            "an event rule or scheduler job (EventBridge/CloudWatch Events, Cloud Scheduler) targets training or a training pipeline",
            rules, confidence=Confidence.medium,
        )
    declared = _demos_left_out(_declared_trigger_rules(repo))
    started = _demos_left_out(_training_started_by_monitoring(repo)) or _retraining_signals(repo)
    if started:
        detail = "training is started in code when a monitoring result (drift, decay, alert) fires"
        if declared:
            detail += "; trigger rules declared in configuration"
        return Observation.passed(detail, started + declared, confidence=Confidence.medium)
    if declared:
        return Observation.failed(
            "retraining trigger rules are declared in configuration, but no code was found that starts training when "
            "they fire (and no scheduled training)",
            declared,
        )
    return Observation.failed("no scheduled or event-driven training found (CI schedules, orchestrator schedules, recurring pipeline runs, CronJobs, drift-triggered training in code)")

