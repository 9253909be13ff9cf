"""Two monitors_model rules about what happens to a served model's outputs (conventions §12, session 15).

Rule `scheduled evaluation under a trigger`: what a schedule runs - an Airflow DAG, a cron table, a
Kubernetes CronJob, a Databricks job, a scheduled or dispatched workflow (the triggers the batch
scoring rule knows, `_batchscoring._scheduled_entries`), the file itself or a project module it imports
(two hops) - loads a trained model, predicts with it and computes a quality statistic of the predictions
(the scikit-learn metric functions: accuracy, F1, AUC, errors...), and trains nothing: the model in
operation is measured on newer data while the system runs. A job that trains and scores its own model
evaluates training; an evaluation script nothing schedules is run by hand.

Rule `prediction logging from any handler`: code that answers a request or an event - a web route, a
request-handler class method, a Streamlit/Gradio/Chainlit page, a LangGraph node, a task - gets the
model's or chain's output (a prediction or generation call, or a project function one hop away whose
body makes one) and writes that value to a store through a database client or ORM (`insert_one`,
`session.add(Row(...))`, `put_item`, an `INSERT` executed, `objects.create`). Only what flows: a row
holding just the user's input logs no prediction.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.astutil import call_name, dotted, identifiers, last_name
from mlops_audit.evidence.repo.detectors import _batchscoring, _handlers, _inhouse
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.pysource import PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

# --- scheduled evaluation -------------------------------------------------------------------------------

# scikit-learn's metric functions (sklearn.metrics) that grade predictions against outcomes.
_QUALITY_METRIC = re.compile(
    r"^(accuracy_score|balanced_accuracy_score|f1_score|fbeta_score|precision_score|recall_score|roc_auc_score|"
    r"average_precision_score|log_loss|brier_score_loss|matthews_corrcoef|cohen_kappa_score|mean_squared_error|"
    r"root_mean_squared_error|mean_absolute_error|mean_absolute_percentage_error|median_absolute_error|r2_score|"
    r"explained_variance_score|classification_report|confusion_matrix|precision_recall_fscore_support)$"
)
_PREDICTION = re.compile(r"^(predict|predict_proba|predict_log_proba|decision_function|batch_predict)$")
# Loading a trained model to run: the libraries' load functions for saved models.
_LOADS_MODEL = re.compile(
    r"(^|\.)(load_model|load_models|from_pretrained|load_from_checkpoint|load_learner)$|^(joblib|pickle|dill|cloudpickle|torch|skops\.io)\.loads?$"
)
_TRAINS = re.compile(r"^(fit|fit_generator|partial_fit|train|train_model|fit_model|train_and_evaluate)$")
# The triggers of `_batchscoring._scheduled_entries` that run on a clock or by an operator (not an
# image's entry point or a compose service, which start with the service).
_SCHEDULED = frozenset({
    "a cron table's schedule", "a Databricks job's task", "a Kubernetes CronJob", "a scheduled or dispatched CI workflow", "an Airflow DAG's task",
})
MAX_HOPS = 2
MAX_REACHED = 30


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _reach(repo: RepoIndex, entry: PythonSummary) -> list[PythonSummary]:
    """The entry and the project modules it imports (MAX_HOPS deep, MAX_REACHED in all): dotted imports
    resolved by their path's tail, plain ones (`import scoring`) beside the importing file."""
    found = [entry]
    done = {entry.path}
    frontier = [entry]
    for _ in range(MAX_HOPS):
        following = []
        for summary in frontier:
            folder = summary.path.rpartition("/")[0]
            for module in summary.imports:
                if len(done) >= MAX_REACHED:
                    break
                if "." in module:
                    path = _batchscoring.resolve_file(repo, module.replace(".", "/") + ".py")
                else:
                    path = f"{folder}/{module}.py" if folder else f"{module}.py"
                    path = path if repo.exists(path) else None
                if path is None or path in done or is_test_path(path):
                    continue
                done.add(path)
                other = repo.python(path)
                if other is not None and not other.is_notebook:
                    found.append(other)
                    following.append(other)
        frontier = following
    return found


def grades_model(summary: PythonSummary, function: str) -> bool:
    """`function` of the file predicts with a model and computes a quality metric of the predictions."""
    calls = [c for c in summary.calls if c.scope == function]
    return any(_QUALITY_METRIC.match(_last(c.name)) for c in calls) and any(_PREDICTION.match(_last(c.name)) for c in calls) and not any(
        _TRAINS.match(_last(c.name)) for c in calls
    )


def scheduled_evaluations(repo: RepoIndex) -> list[Location]:
    """Locations (the trigger, the metric call) of each scheduled entry whose reach grades the model's predictions."""
    hits: list[Location] = []
    for entry, how, where in _batchscoring._scheduled_entries(repo):  # deploy22's trigger finder, read only
        if how not in _SCHEDULED or is_test_path(entry.path):
            continue
        reach = _reach(repo, entry)
        if any(_TRAINS.match(_last(c.name)) for s in reach for c in s.calls):
            continue  # trains and grades its own model: training's evaluation
        if not any(_LOADS_MODEL.search(c.name) for s in reach for c in s.calls):
            continue
        for summary in reach:
            metrics = [c for c in summary.calls if _QUALITY_METRIC.match(_last(c.name))]
            if metrics and any(_PREDICTION.match(_last(c.name)) for c in summary.calls):
                hits += [*where, at(summary.path, metrics[0].line)]
                break
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


# --- prediction logging from any handler ------------------------------------------------------------------

# Database clients and ORMs whose writes store a record (imported by the writing file).
STORE_MODULES = (
    "pymongo", "motor", "sqlalchemy", "sqlmodel", "psycopg2", "psycopg", "sqlite3", "pymysql", "mysql", "asyncpg", "aiosqlite",
    "boto3", "google.cloud.bigquery", "google.cloud.firestore", "firebase_admin", "azure.cosmos", "supabase", "elasticsearch",
    "influxdb_client", "django", "peewee", "tortoise", "redis", "cassandra", "duckdb",
)
# Writes of a record through such a client: the catalogue's `prediction logging` methods and the ORM/driver writes.
_RECORD_WRITES = frozenset({
    "insert_one", "insert_many", "insert_rows_json", "insert_rows", "put_item", "put_record", "put_record_batch", "write_points",
    "add", "add_all", "merge", "create", "bulk_create", "insert", "upsert", "index", "xadd", "hset", "to_sql",
})
_SQL_WRITES = frozenset({"execute", "executemany"})
_OBJECT_WRITES = frozenset({"add", "add_all", "merge"})
_INSERT = re.compile(r"^\s*(insert|upsert|replace)\b", re.IGNORECASE)
# Calls that produce a model's or chain's output.
_MODEL_OUTPUT = re.compile(
    r"^(predict\w*|infer\w*|run_inference|classify\w*|forecast\w*|invoke|ainvoke|generate|generate_content|"
    r"run_chain|answer_question|query_engine|chat|complete|completion|create_completion)$"
)
_COMPLETIONS = ("chat.completions.create", "completions.create", "messages.create")
PAGE_MODULES = ("streamlit", "gradio", "chainlit")
_ROUTE = re.compile(r"\.(get|post|put|patch|route|api_route|websocket)$")
NEEDLES = tuple(sorted(_RECORD_WRITES | _SQL_WRITES))


_STORE_TEXT = re.compile(r"\b(?:" + "|".join(re.escape(m.split(".")[-1]) for m in STORE_MODULES) + r")\b|session\.add|objects\.create")
_WRITE_TEXT = re.compile(r"\.(?:" + "|".join(sorted(_RECORD_WRITES | _SQL_WRITES)) + r")\(")


# Code answering requests or events, or a model's output named: a file with neither logs no prediction.
_HANDLER_TEXT = re.compile(
    r"@\w+\.(?:get|post|put|patch|route|api_route|websocket)\b|\b(?:streamlit|gradio|chainlit|add_node|APIView|MethodView|RequestHandler|Resource|Consumer|Servicer)\b"
    r"|\b(?:predict\w*|invoke|ainvoke|generate\w*|forecast\w*|classify\w*|infer\w*|completions)\b"
)


def may_log_outputs(text: str) -> bool:
    """A store client or ORM session named, a record write called, and a handler or a model call written."""
    return _STORE_TEXT.search(text) is not None and _WRITE_TEXT.search(text) is not None and _HANDLER_TEXT.search(text) is not None


def _model_producers(repo: RepoIndex, summary: PythonSummary) -> frozenset[str]:
    """Names of the functions and methods, in the handler's module or a project module it imports,
    whose own body makes a model or chain call (one hop)."""
    summaries = [summary]
    for module in summary.imports:
        if "." in module:
            path = _batchscoring.resolve_file(repo, module.replace(".", "/") + ".py") or _batchscoring.resolve_file(repo, module.rsplit(".", 1)[0].replace(".", "/") + ".py")
        else:
            folder = summary.path.rpartition("/")[0]
            path = f"{folder}/{module}.py" if folder else f"{module}.py"
            path = path if repo.exists(path) else None
        other = repo.python(path) if path is not None and path != summary.path and not is_test_path(path) else None
        if other is not None and len(summaries) <= MAX_REACHED:
            summaries.append(other)
    return frozenset(call.scope for s in summaries for call in s.calls if call.scope and _produces(call.name))


def _produces(name: str) -> bool:
    return _MODEL_OUTPUT.match(_last(name)) is not None or name.endswith(_COMPLETIONS)


def _handler_bodies(summary: PythonSummary, module: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """(name, body) of the code that answers requests or events in the module: route-decorated and
    task-decorated functions, request-handler methods, LangGraph nodes, and for a page (Streamlit,
    Gradio, Chainlit) the whole module."""
    page = summary.imports_module(*PAGE_MODULES)
    if page:
        yield "<page>", module
    handler_methods = {(cls, name) for cls, name, _ in _handlers.request_handlers(summary)}
    nodes = {last_name(c.args[1]) for c in ast.walk(module) if isinstance(c, ast.Call) and call_name(c) == "add_node" and len(c.args) > 1}
    nodes |= {last_name(c.args[0]) for c in ast.walk(module) if isinstance(c, ast.Call) and call_name(c) == "add_node" and len(c.args) == 1}
    for owner, func in _inhouse.functions(module):
        decorated = any(_ROUTE.search(dotted(d.func if isinstance(d, ast.Call) else d)) for d in func.decorator_list)
        if page or decorated or (owner or "", func.name) in handler_methods or func.name in nodes or _inhouse.event_handler(func, set()):
            yield func.name, func


def _writes_output(body: ast.AST, producers: frozenset[str]) -> list[int]:
    """Lines of record writes in `body` whose arguments hold a value a model call (or a producer) returned.
    One walk, assignments and calls taken in source order (linear in the body, however deeply nested)."""
    outputs: set[str] = set()
    records: set[str] = set()
    lines: list[int] = []
    events = [n for n in ast.walk(body) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Call))]
    for node in sorted(events, key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            if isinstance(node.value, ast.Call) and last_name(node.value.func)[:1].isupper():
                records |= names
            value_calls = [c for c in ast.walk(node.value) if isinstance(c, ast.Call)]
            if any(_produces(dotted(c.func)) or call_name(c) in producers for c in value_calls) or identifiers(node.value) & outputs:
                outputs |= names
            continue
        if not isinstance(node.func, ast.Attribute):
            continue
        name = call_name(node)
        if name in _SQL_WRITES:
            sql = node.args[0] if node.args else None
            text = sql.value if isinstance(sql, ast.Constant) and isinstance(sql.value, str) else ""
            if not _INSERT.match(text) and not (isinstance(sql, ast.Call) and call_name(sql) == "text"):
                continue
        elif name not in _RECORD_WRITES:
            continue
        elif name in _OBJECT_WRITES and not any(_record_object(a, records) for a in node.args):
            continue  # `session.add(Row(...))`: an ORM object, not `seen.add(x)` of a set
        arguments = [*node.args, *(k.value for k in node.keywords)]
        held = set().union(*(identifiers(a) for a in arguments)) if arguments else set()
        inline = any(isinstance(c, ast.Call) and (_produces(dotted(c.func)) or call_name(c) in producers) for a in arguments for c in ast.walk(a))
        if held & outputs or inline:  # a value the model returned, or the model's call written inline
            lines.append(node.lineno)
    return sorted(set(lines))


def _record_object(node: ast.AST, records: set[str]) -> bool:
    """A mapped object: built by a class call (`Prediction(...)`), a name holding one, or a list of them."""
    if isinstance(node, ast.Call):
        return last_name(node.func)[:1].isupper()
    if isinstance(node, ast.Name):
        return node.id in records
    return isinstance(node, (ast.List, ast.Tuple)) and any(_record_object(e, records) for e in node.elts)


def prediction_logging(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*NEEDLES, where=text_test(may_log_outputs))):
        if not _RECORD_WRITES.union(_SQL_WRITES).intersection(summary.call_names):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        bodies = list(_handler_bodies(summary, module))
        producers = _model_producers(repo, summary) if bodies else frozenset()
        for _, body in bodies:
            hits += [at(summary.path, line) for line in _writes_output(body, producers)]
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]
