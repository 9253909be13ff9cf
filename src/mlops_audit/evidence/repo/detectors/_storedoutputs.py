"""Rule `stored outputs read back` of monitors_model (session 18, conventions §12, §16.11, 17.8).

The mechanism: the system writes its model's outputs to a store on the path that produces them (a
function that predicts, or a function a predicting function calls, inserts a record: an ORM row added
to a session, `Model.objects.create`, a document inserted into a collection, an item put into a table,
an SQL `INSERT INTO`), and **another** function of the repository reads that same store back to judge
the model. The store is followed by its name: the ORM class, the collection or table name, or the
variable the store is held in. Graded by what the reader does (§16.11):

- it computes a quality metric over the records (a metric function such as `mean_absolute_error`,
  `accuracy_score`, `f1_score`, itself or in the function that calls it): the model's quality is measured
  against stored predictions - the strong form;
- it aggregates them (counts, averages, group-bys in SQL or an aggregation pipeline): distributions of
  the predictions over time - a weaker form (partial).

Records a reader only lists or returns one by one (chat history shown back to its user, the product's
recommendations) are the product's data, not monitoring (§16.11): no aggregate, no metric, no hit.
Everything is read from files the one-read needle scan already picked (store writes, metric
functions, aggregates); callers one hop away are found in the summaries of files mentioning a model call.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mlops_audit.evidence.repo.astutil import dotted, last_name, walk
from mlops_audit.evidence.repo.catalogue import judged_by
from mlops_audit.evidence.repo.detectors import _inhouse
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.pysource import PythonSummary
from mlops_audit.evidence.repo.registry import at

# Writes of a record, per store API: SQLAlchemy/SQLModel `Session.add`/`add_all`, Django
# `Model.objects.create`/`bulk_create`, peewee/Tortoise `Model.create`, PyMongo/Motor
# `insert_one`/`insert_many`, boto3 DynamoDB `Table.put_item`, BigQuery `Client.insert_rows_json`/`insert_rows`
# (the table named by its first argument), SQL `INSERT INTO` through any driver.
WRITE_NEEDLES = tuple(judged_by(Kind.monitoring, "stored outputs read back").needles)
# Quality metrics computed over records (scikit-learn's metric API names and their usual abbreviations).
METRIC_NEEDLES = (
    "mean_absolute_error", "mean_squared_error", "root_mean_squared_error", "mean_absolute_percentage_error", "r2_score",
    "explained_variance_score", "accuracy_score", "f1_score", "precision_score", "recall_score", "roc_auc_score",
    "confusion_matrix", "classification_report",
)
# Aggregates a reader computes over records: SQL aggregate functions and GROUP BY, SQLAlchemy `func.count`/
# `func.avg`/`group_by`, Django `annotate`/`aggregate`, MongoDB `aggregate`/`count_documents`.
AGGREGATE_NEEDLES = ("GROUP BY", "group by", "COUNT", "AVG", "group_by", "func.count", "func.avg", "annotate", "aggregate", "count_documents")
# Calls that obtain a model's output: predict/infer/classify/generate methods, LangChain `invoke`, the
# chat/completion APIs of the hosted-model clients (`...completions.create`, `messages.create`).
MODEL_CALL_NEEDLES = (
    "predict", "predict_proba", "invoke", "ainvoke", "generate", "generate_content", "completions", "messages.create", "infer", "inference",
    "classify", "forecast",
)
# (`generate`, `infer`, `classify`, `forecast` exactly: `generate_report`, `infer_schema`, `classify_doc` are helpers.)
_MODEL_CALL = re.compile(r"^(predict\w*|infer|inference|run_inference|classify|a?generate|a?invoke|forecast)$", re.IGNORECASE)
_HOSTED_MODEL_CALL = re.compile(r"(^|\.)(completions|messages|responses)\.create$|(^|\.)generate_content$")
_METRIC = re.compile("^(" + "|".join(METRIC_NEEDLES) + ")$")
# A table named in SQL, qualified or not (`dataset.predictions`, `"public"."answers"`): its last part is the store.
_SQL_INSERT = re.compile(r"\binsert\s+(?:or\s+\w+\s+)?into\s+([\w.\"'`]+)", re.IGNORECASE)
_SQL_SELECT = re.compile(r"\bselect\b.{0,400}?\bfrom\s+([\w.\"'`]+)", re.IGNORECASE | re.DOTALL)
_SQL_AGGREGATE = re.compile(r"\b(count|avg|sum|stddev|percentile_cont)\s*\(|\bgroup\s+by\b", re.IGNORECASE)
_DOCUMENT_WRITES = frozenset({"insert_one", "insert_many", "put_item"})
_TABLE_WRITES = frozenset({"insert_rows_json", "insert_rows"})
_DOCUMENT_READS = frozenset({"find", "find_one", "aggregate", "count_documents", "scan", "query", "distinct"})
_DOCUMENT_AGGREGATES = frozenset({"aggregate", "count_documents", "distinct"})
_ORM_READS = frozenset({"query", "select", "exec"})
_ORM_AGGREGATES = frozenset({"count", "avg", "sum", "group_by", "aggregate", "annotate", "values_annotate"})
_STORE_HANDLES = frozenset({"get_collection", "Table", "collection", "get_table"})
# Store calls of the APIs above, writes and reads (`execute`/`executemany`/`text`/`read_sql*` carry SQL).
_STORE_METHODS = (
    _DOCUMENT_WRITES | _TABLE_WRITES | _DOCUMENT_READS | _ORM_READS | _ORM_AGGREGATES
    | {"add", "add_all", "create", "bulk_create", "get_or_create", "execute", "executemany", "text", "read_sql", "read_sql_query", "sql"}
)
MAX_FILES = 200  # files parsed per repository at most


@dataclass
class _Function:
    path: str
    name: str
    line: int
    writes: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    aggregates: bool = False
    measures: bool = False
    predicts: bool = False
    calls: set[str] = field(default_factory=set)


def _store_of(node: ast.AST, local: dict[str, ast.AST]) -> str | None:
    """The name a document store is held under: `db["answers"]`, `db.answers`, `get_collection("answers")`,
    `Table("answers")` give `answers`; a variable assigned one of those in the function resolves to it; any
    other holder (`self.responses_table`, a parameter) is named by its own last name."""
    for _ in range(3):
        if isinstance(node, ast.Name) and node.id in local:
            node = local[node.id]
        else:
            break
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Call) and last_name(node.func) in _STORE_HANDLES and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        return _store_of(first, local)
    if isinstance(node, (ast.Name, ast.Attribute)):
        return last_name(node) or None
    return None


def _class_argument(node: ast.AST, local: dict[str, ast.AST]) -> str | None:
    """`Answer` of `session.add(Answer(...))` or of `row = Answer(...); session.add(row)`."""
    if isinstance(node, ast.Name) and node.id in local:
        node = local[node.id]
    if isinstance(node, ast.Call):
        name = last_name(node.func)
        return name if name[:1].isupper() else None
    return None


def _table(sql_name: str) -> str:
    return sql_name.strip("\"'`").rsplit(".", 1)[-1].strip("\"'`").lower()


def _read_function(path: str, func: ast.FunctionDef | ast.AsyncFunctionDef) -> _Function:
    found = _Function(path, func.name, func.lineno)
    local: dict[str, ast.AST] = {}
    calls: list[ast.Call] = []
    # One walk of the function (string constants, assignments, calls).
    nodes = walk(func)
    next(nodes)
    for node in nodes:
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) and len(node.value) > 10:
                text = node.value
                found.writes.update(_table(m.group(1)) for m in _SQL_INSERT.finditer(text))
                selected = [_table(m.group(1)) for m in _SQL_SELECT.finditer(text)]
                found.reads.update(selected)
                found.aggregates |= bool(selected) and bool(_SQL_AGGREGATE.search(text))
        elif isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                local[node.targets[0].id] = node.value
    for node in calls:
        name = dotted(node.func)
        method = name.rsplit(".", 1)[-1]
        found.calls.add(method)
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if _MODEL_CALL.match(method) or _HOSTED_MODEL_CALL.search(name):
            found.predicts = True
        if _METRIC.match(method):
            found.measures = True
        if method in ("add", "add_all") and owner is not None and node.args:
            args = node.args[0].elts if isinstance(node.args[0], (ast.List, ast.Tuple)) else [node.args[0]]
            found.writes.update(c.lower() for a in args if (c := _class_argument(a, local)))
        elif method in ("create", "bulk_create", "get_or_create") and owner is not None:
            holder = owner.value if isinstance(owner, ast.Attribute) and owner.attr == "objects" else owner
            if isinstance(holder, ast.Name) and holder.id[:1].isupper():
                found.writes.add(holder.id.lower())
        elif method in _TABLE_WRITES and owner is not None and node.args:
            first = node.args[0]
            table = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else _store_of(first, local)
            if table:
                found.writes.add(_table(table))
        elif method in _DOCUMENT_WRITES and owner is not None:
            if store := _store_of(owner, local):
                found.writes.add(store.lower())
        elif method in _DOCUMENT_READS and owner is not None and method not in _ORM_READS:
            if store := _store_of(owner, local):
                found.reads.add(store.lower())
                found.aggregates |= method in _DOCUMENT_AGGREGATES
        if method in _ORM_READS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id[:1].isupper():
                found.reads.add(first.id.lower())
            elif method == "query" and owner is not None and (store := _store_of(owner, local)):
                found.reads.add(store.lower())  # DynamoDB `table.query(...)`
        if isinstance(node.func, ast.Attribute) and isinstance(owner, ast.Attribute) and owner.attr == "objects":
            if isinstance(owner.value, ast.Name) and method not in ("create", "bulk_create", "get_or_create"):
                found.reads.add(owner.value.id.lower())
                found.aggregates |= method in _ORM_AGGREGATES
        if method in _ORM_AGGREGATES and name.startswith(("func.", "sqlalchemy.func.", "sqlmodel.func.")):
            found.aggregates = True
        if method in _ORM_AGGREGATES and method != "count" and owner is not None:
            found.aggregates = True
    return found


def _functions_in(repo: RepoIndex, files: Iterable[PythonSummary], seen: set[str]) -> list[_Function]:
    found: list[_Function] = []
    for summary in files:
        if len(seen) >= MAX_FILES:
            break
        if summary.path not in seen:
            seen.add(summary.path)
            # Only functions calling a store, a model or a metric are walked (the summary's calls say which).
            wanted = {c.scope for c in summary.calls if c.scope and _relevant(c.name)}
            found += [_read_function(summary.path, f) for _, f in _inhouse.functions_of(repo, summary.path) if f.name in wanted]
    return found


def _relevant(name: str) -> bool:
    method = name.rsplit(".", 1)[-1]
    return (
        method in _STORE_METHODS or ".objects." in name or _MODEL_CALL.match(method) is not None
        or _HOSTED_MODEL_CALL.search(name) is not None or _METRIC.match(method) is not None
    )


def _mentions(names: set[str]) -> Callable[[str], bool]:
    """A test of a file's text: does it name any of `names`, case aside (store names are kept in lower
    case)? Files that do not are not parsed."""
    wanted = sorted({n.lower() for n in names})

    def names_one(text: str) -> bool:
        low = text.lower()
        return any(n in low for n in wanted)

    return names_one


def stored_outputs_read_back(repo: RepoIndex) -> tuple[list[Location], list[Location]]:
    """(readers measuring quality over stored model outputs, readers aggregating them): the locations
    of the reading functions, per the rule above. Staged so that most repositories stop early: the
    files writing a store first; callers and readers elsewhere are parsed only when their text names
    the helper or the store being followed."""
    seen: set[str] = set()
    functions = _functions_in(repo, _inhouse.project_code(repo.python_mentioning(*WRITE_NEEDLES)), seen)
    writers = [f for f in functions if f.writes]
    if not writers:
        return [], []
    # Helpers a predicting function calls (one hop, by name): the store access layer of the service.
    fed = {f.name for f in writers if f.predicts}
    names = {f.name for f in writers if not f.predicts}
    if names:
        for summary in _inhouse.project_code(repo.python_mentioning(*MODEL_CALL_NEEDLES, where=_mentions(names))):
            scopes: dict[str | None, list[str]] = {}
            for call in summary.calls:
                scopes.setdefault(call.scope, []).append(call.name)
            for calls in scopes.values():
                if any(_MODEL_CALL.match(c.rsplit(".", 1)[-1]) or _HOSTED_MODEL_CALL.search(c) for c in calls):
                    fed |= names & {c.rsplit(".", 1)[-1] for c in calls}
    outputs = {store for f in writers if f.name in fed for store in f.writes}
    if not outputs:
        return [], []
    # Readers elsewhere: files computing a metric or an aggregate that name a followed store or a
    # function of the writing files that reads one (the metric job calling the store's read helper).
    helpers = {f.name for f in functions if f.reads & outputs}
    functions += _functions_in(
        repo, _inhouse.project_code(repo.python_mentioning(*METRIC_NEEDLES, *AGGREGATE_NEEDLES, where=_mentions(outputs | helpers))), seen
    )
    producers = {(f.path, f.name) for f in writers if f.name in fed}
    readers = [f for f in functions if f.reads & outputs and (f.path, f.name) not in producers]
    # A reader whose caller measures quality measures it.
    measuring_callers = {c for f in functions if f.measures for c in f.calls}
    measured = [at(f.path, f.line) for f in readers if f.measures or f.name in measuring_callers]
    aggregated = [at(f.path, f.line) for f in readers if f.aggregates]
    return measured, aggregated
