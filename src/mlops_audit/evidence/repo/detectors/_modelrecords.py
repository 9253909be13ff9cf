"""Rule `in-house model records` of registers_models (session 15): the records a team keeps between
training and serving instead of a registry service.

What a model registry does (MLflow's registry, SageMaker model packages: a version per registered model
and a stage or alias - Production, Staging, champion - that deployment resolves) can be written in
house: training saves the model under a version or run id and writes a record naming which version
plays a role - a JSON/YAML index (`index["champion"] = version`), a database row with a role flag
(`is_production`, `is_live`), a `latest` pointer file - and serving reads that record by the role and
loads the model it names. The rule asks for both halves:
- **written**: a function (with the same-module helpers it calls) writes a record (a JSON/YAML dump, a
  text write, an SQL INSERT/UPDATE, an ORM attribute set) that names a role and a version or run id, in
  a module where a model is saved, or that a module saving a model imports or is imported by;
- **selected by**: another function reads a record (a JSON/YAML load, a text read, an SQL SELECT, an
  ORM filter) naming the same role, in a module that loads a model or is imported by one that does.
A bare `joblib.dump(model, "model.pkl")` / `joblib.load` names no role and no version: not a record.
The former rule (`register*` function serialising, digesting, versioning and writing a JSON index in
one place) is one way of writing the first half.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mlops_audit.evidence.repo.astutil import call_name, dotted, functions
from mlops_audit.evidence.repo.detectors import _inhouse
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.pysource import PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

# Roles of a model version: the registries' stages and aliases, and flags naming them.
_ROLE = re.compile(
    r"^(?:is_)?(?:production|champion|challenger|staging|deployed|promoted)(?:_models?|_versions?)?$|^is_(?:latest|current|active|live|serving)(?:_models?|_versions?)?$",
    re.IGNORECASE,
)
# A pointer file named for the role (`models/latest.json`, `checkpoints/LATEST`): a path, not a bare word.
_ROLE_FILE = re.compile(r"(?:^|/)(latest|champion|production|current)\.\w{1,5}$|/(latest|champion|production|current)$", re.IGNORECASE)
# Calls whose arguments are text shown to people, not keys: a role named there selects nothing.
_SHOWN = re.compile(r"(^|\.)(print|echo|format|join|write|markdown|title|header|subheader|info|debug|warning|warn|error|exception|critical|log|text|caption|label|set_title|set_xlabel|set_ylabel|suptitle|add_argument)$")
_ROLE_TEXT = re.compile(r"production|champion|challenger|staging|deployed|promoted|is_(?:latest|current|active|live|serving)|latest|LATEST", re.IGNORECASE)
_VERSION = re.compile(r"version|run_?id", re.IGNORECASE)
# SQL statements, not prose that starts with the same word ("Update the model", "replace"): the clause
# that follows the verb is asked for.
_SQL_WRITE = re.compile(r"^\s*(?:(?:insert|replace|upsert|merge)\s+into\s+[\"'`]?\w|update\s+[\"'`]?\w+[\"'`]?\s+set\s)", re.IGNORECASE)
_SQL_READ = re.compile(r"^\s*select\s[^;]{0,400}?\sfrom\s", re.IGNORECASE)
_SQL_WORD = re.compile(r"\w+")
_WRITES = re.compile(r"(^|\.)(json\.dumps?|yaml\.(safe_)?dump|dump_json|write_json|safe_dump|write_text|to_json|write)$")
_READS = re.compile(r"(^|\.)(json\.loads?|yaml\.(safe_)?load|safe_load|read_json|read_text|read|filter|filter_by|where|find_one|read_sql\w*)$")
_SAVES = re.compile(
    r"^(skops\.io|joblib|pickle|cloudpickle|dill|torch|onnx|safetensors\.\w+)\.(dumps?|save\w*)$|(^|\.)(save_model|dump_model|save_pretrained|save_weights|upload_file|upload_from_filename|upload_blob|put_object)$"
    r"|(^|\.)_*(save|write|dump|store|export|persist)_\w{0,30}?(model|artifact|checkpoint)s?$"  # a project helper named for it
)
_LOADS = re.compile(r"^(joblib|pickle|cloudpickle|dill|torch|skops\.io)\.loads?$|load_model|from_pretrained|load_state_dict|load_learner|load_checkpoint|load_weights")
NEEDLES = ("load", "loads", "dump", "dumps", "save", "write_text", "read_text", "execute", "filter", "filter_by", "safe_load", "find_one")
_HELPER_DEPTH = 2
MAX_HELPERS = 12  # same-module helpers followed from one function (a module of many mutual calls stays linear)
MAX_FUNCTIONS = 300  # functions judged per module


_RECORD_IO_TEXT = re.compile(r"json|yaml|_text\(|\.write\(|\.read\(|\binsert\b|\bupdate\b|\bselect\b|\.filter|\.where\(|find_one", re.IGNORECASE)
_MODEL_IO_TEXT = re.compile(r"\b(?:load|loads|dump|save|save_model|load_model|load_state_dict|from_pretrained|upload\w*|put_object|copyfile|copy2)\(|version|run_?id", re.IGNORECASE)


_WRITE_TEXT = re.compile(r"json|yaml|_text\(|\.write\(|insert[ \t\n]+into|update\s+\w+\s+set|=[ \t]*True\b", re.IGNORECASE)


def may_write_records(text: str) -> bool:
    """A role record's writer: a role, a version and a record write named."""
    return _ROLE_TEXT.search(text) is not None and _VERSION.search(text) is not None and _WRITE_TEXT.search(text) is not None


def may_keep_records(text: str) -> bool:
    """A role named, a record written or read, and a model saved or loaded or a version named."""
    return _ROLE_TEXT.search(text) is not None and _RECORD_IO_TEXT.search(text) is not None and _MODEL_IO_TEXT.search(text) is not None


@dataclass
class _Function:
    path: str
    line: int
    roles: set[str] = field(default_factory=set)
    version: bool = False
    writes: bool = False
    reads: bool = False


def _shown_text(node: ast.AST) -> set[int]:
    """Ids of the nodes that only make text for people: docstrings, f-strings, the arguments of printing
    and logging calls (`print("Production model")`)."""
    shown: set[int] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _SHOWN.search(dotted(sub.func) or call_name(sub)):
            shown |= {id(n) for a in [*sub.args, *(k.value for k in sub.keywords)] for n in ast.walk(a)}
        elif isinstance(sub, ast.JoinedStr) or (isinstance(sub, ast.Expr) and isinstance(sub.value, ast.Constant)):
            shown |= {id(n) for n in ast.walk(sub)}
    return shown


def _role_words(node: ast.AST) -> tuple[set[str], bool, bool, bool]:
    """(roles, names a version, SQL write, SQL read) of the identifiers and string constants in `node`;
    a role counts where it is used as a key or a selector, not in text shown to people (`_shown_text`)."""
    roles: set[str] = set()
    version = sql_write = sql_read = False
    shown = _shown_text(node)
    for sub in ast.walk(node):
        if id(sub) in shown:
            continue
        words: Iterable[str] = ()
        if isinstance(sub, ast.Name):
            words = (sub.id,)
        elif isinstance(sub, ast.Attribute):
            words = (sub.attr,)
        elif isinstance(sub, ast.arg):
            words = (sub.arg,)
        elif isinstance(sub, ast.keyword) and sub.arg:
            words = (sub.arg,)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) <= 2000:
            text = sub.value
            if _SQL_WRITE.match(text):
                sql_write = True
                words = _SQL_WORD.findall(text)
            elif _SQL_READ.match(text):
                sql_read = True
                words = _SQL_WORD.findall(text)
            else:
                file = _ROLE_FILE.search(text)
                if file:
                    roles.add((file.group(1) or file.group(2)).lower())
                words = (text,)
        for word in words:
            if _ROLE.match(word):
                roles.add(word.lower().removeprefix("is_"))
            elif _VERSION.search(word) and len(word) <= 60:
                version = True
    return roles, version, sql_write, sql_read


@dataclass
class _Own:
    """What one function's own code holds (one walk; nested functions are walked with it)."""
    roles: set[str]
    version: bool
    sql_write: bool
    sql_read: bool
    role_set: bool
    calls: list[str]
    callees: set[str]


def _own(func: ast.AST) -> _Own:
    roles, version, sql_write, sql_read = _role_words(func)
    calls: list[str] = []
    callees: set[str] = set()
    role_set = False
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            calls.append(dotted(node.func) or call_name(node))
            callees.add(call_name(node))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and _ROLE.match(t.attr) for t in node.targets):
            role_set = True  # `entry.is_production_model = True`: an ORM row's role flag set
    return _Own(roles, version, sql_write, sql_read, role_set, calls, callees)


class _Owns(dict):  # type: ignore[type-arg]
    """Each function's own facts by name, computed when first asked (`_own`): functions no role-naming
    function reaches are never walked."""

    def __init__(self, nodes: dict[str, ast.AST]) -> None:
        super().__init__()
        self.nodes = nodes

    def __missing__(self, name: str) -> _Own:
        self[name] = found = _own(self.nodes[name])
        return found


def _reach_names(own: _Owns, name: str) -> list[str]:
    """`name` and the same-module functions it calls (to _HELPER_DEPTH levels, MAX_HELPERS in all)."""
    seen = [name]
    frontier = [name]
    for _ in range(_HELPER_DEPTH):
        following = []
        for current in frontier:
            for callee in sorted(own[current].callees):
                if callee in own.nodes and callee not in seen and len(seen) < MAX_HELPERS:
                    seen.append(callee)
                    following.append(callee)
        frontier = following
    return seen


def _calls(nodes: list[ast.AST]) -> list[str]:
    return [dotted(c.func) or call_name(c) for node in nodes for c in ast.walk(node) if isinstance(c, ast.Call)]


def _function_facts(module: ast.Module) -> tuple[list[tuple[int, str]], _Owns, dict[str, ast.AST]]:
    """The module's functions (line, name; at most MAX_FUNCTIONS), their facts (asked lazily), and the nodes by name."""
    listed = list(functions(module))[:MAX_FUNCTIONS]
    nodes = {func.name: func for _, func in listed}
    return [(func.lineno, func.name) for _, func in listed], _Owns(nodes), nodes


def _source_mentions(lines: list[str], node: ast.AST, pattern: re.Pattern[str]) -> bool:
    end = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
    return any(pattern.search(line) for line in lines[node.lineno - 1 : end])  # type: ignore[attr-defined]


def _candidates(listed: list[tuple[int, str]], nodes: dict[str, ast.AST], lines: list[str], pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """The functions whose source, or the source of a same-module function they call by name, matches
    `pattern` (text tests only: the others are never walked)."""
    naming = sorted(name for name, node in nodes.items() if _source_mentions(lines, node, pattern))
    if not naming:
        return []
    calling = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in naming) + r")[ \t]*\(")
    return [(line, name) for line, name in listed if name in naming or _source_mentions(lines, nodes[name], calling)]


def _module_facts(path: str, module: ast.Module, text: str, calls: list[str]) -> tuple[list[_Function], bool, bool]:
    """(functions writing or reading a role record, the module saves a model, the module loads a model).
    A function is judged when it or a helper it calls names a role; helpers are judged when reached.
    `calls`: the module's resolved call names (its summary's)."""
    found = []
    saves = any(_SAVES.search(n) for n in calls)
    loads = any(_LOADS.search(n) for n in calls)
    listed, own, nodes = _function_facts(module)
    lines = text.split("\n")
    for line, name in _candidates(listed, nodes, lines, _ROLE_TEXT):
        reached = [own[n] for n in _reach_names(own, name)]
        roles = set().union(*(o.roles for o in reached))
        if not roles:
            continue
        version = any(o.version for o in reached)
        names = [c for o in reached for c in o.calls]
        writes = any(o.sql_write or o.role_set for o in reached) or any(_WRITES.search(n) for n in names)
        reads = any(o.sql_read for o in reached) or any(_READS.search(n) for n in names)
        if writes or reads:
            found.append(_Function(path, line, roles, version, writes, reads))
    return found, saves, loads


_RECORD_FILE = re.compile(r"([\w.-]+\.(?:json|jsonl|ya?ml|txt|csv|toml|db|sqlite3?))$|/([\w-]+)$", re.IGNORECASE)
_SQL_TABLE = re.compile(r"\b(?:into|update|from|join)\s+[\"'`]?(\w+)", re.IGNORECASE)
_TABLE_NAME = re.compile(r"^__tablename__$")


def _record_names(module: ast.Module) -> set[str]:
    """What a module's records are called: the files its path constants name (`store/index.json`,
    `checkpoints/LATEST`), the SQL tables its statements name, its ORM classes and their tables."""
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 2000:
            text = node.value.strip()
            if _SQL_WRITE.match(text) or _SQL_READ.match(text):
                names |= {t.lower() for t in _SQL_TABLE.findall(text)}
            elif "\n" not in text and " " not in text:
                match = _RECORD_FILE.search(text)
                if match:
                    names.add((match.group(1) or match.group(2)).lower())
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in stmt.targets):
                    if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                        names |= {stmt.value.value.lower(), node.name.lower()}
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _ROLE.match(node.attr):
            names.add(node.value.id.lower())  # `Model_Info.is_production_model`: the ORM class holding the flag
    return names


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".py")


def model_records(repo: RepoIndex) -> list[Location]:
    facts: dict[str, tuple[list[_Function], bool, bool]] = {}
    imports: dict[str, set[str]] = {}
    records: dict[str, set[str]] = {}
    trees: dict[str, ast.Module] = {}

    def record_names(path: str) -> set[str]:
        if path not in records:
            records[path] = _record_names(trees[path])
        return records[path]

    def read(summaries: Iterable[PythonSummary]) -> None:
        for summary in _inhouse.project_code(summaries):
            if summary.path in facts:
                continue
            module = _inhouse.tree(repo, summary.path)
            if module is None:
                continue
            facts[summary.path] = _module_facts(summary.path, module, repo.text(summary.path) or "", [c.name for c in summary.calls])
            trees[summary.path] = module
            imports[summary.path] = {m.rsplit(".", 1)[-1] for m in summary.imports} | {m.rsplit(".", 2)[-2] for m in summary.imports if m.count(".") >= 1}

    # Writers first (a role, a version and a write named in the text); the readers' files are parsed only
    # when some file writes a role record with a version.
    read(repo.python_mentioning(*NEEDLES, where=text_test(may_write_records)))
    if not any(f.writes and f.version for found, _, _ in facts.values() for f in found):
        return []
    read(repo.python_mentioning(*NEEDLES, where=text_test(may_keep_records)))

    known: dict[tuple[str, int], bool] = {}

    def near(path: str, wanted: int) -> bool:
        """The module saves (wanted=1) or loads (wanted=2) a model, or one it imports or that imports it does
        (asked once per module: the scan of its importers is not repeated for each of its functions)."""
        if (path, wanted) not in known:
            known[(path, wanted)] = _near(path, wanted)
        return known[(path, wanted)]

    def _near(path: str, wanted: int) -> bool:
        if facts[path][wanted]:
            return True
        stem = _stem(path)
        for other, (_, saves, loads) in facts.items():
            if other != path and (saves if wanted == 1 else loads) and (stem in imports.get(other, ()) or _stem(other) in imports.get(path, ())):
                return True
        return _importer_with(repo, path, wanted)

    def linked(written: str, read: str) -> bool:
        """The reader reads the writer's record: the same module, one imports the other, or both name
        the same record (file, SQL table, ORM class)."""
        return (
            written == read or _stem(written) in imports.get(read, ()) or _stem(read) in imports.get(written, ())
            or bool(record_names(written) & record_names(read))
        )

    writers = [f for path, (found, _, _) in facts.items() for f in found if f.writes and f.version and near(path, 1)]
    if not writers:
        return []
    readers = [f for path, (found, _, _) in facts.items() for f in found if f.reads and near(path, 2)]
    hits: list[Location] = []
    for writer in writers:
        for reader in readers:
            if (reader.path, reader.line) != (writer.path, writer.line) and writer.roles & reader.roles and linked(writer.path, reader.path):
                hits += [at(writer.path, writer.line), at(reader.path, reader.line)]
                break
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


def _importer_with(repo: RepoIndex, path: str, wanted: int | re.Pattern[str]) -> bool:
    """A project module importing `path`'s module saves (1) or loads (2) a model, or makes a call
    matching `wanted` (summary calls only)."""
    stem = _stem(path)
    pattern = wanted if isinstance(wanted, re.Pattern) else _SAVES if wanted == 1 else _LOADS
    for summary in _inhouse.project_code(repo.python_scan(stem, within=repo.importing(stem))):
        if summary.path != path and any(pattern.search(c.name) for c in summary.calls):
            return True
    return False


# --- rule `in-house run records` (tracks_experiments, partial) -----------------------------------------
#
# What a tracker keeps - each run's key, settings and metrics, for comparing runs - written to the
# project's own store: training or evaluation code writes a record (an SQL INSERT, a JSON line or file,
# a CSV row, an ORM object) whose fields hold two or more quality metrics and a run key (run id,
# experiment, trial, version, batch), and other code reads the same record back (the same table, file or
# ORM class). Metrics written once and never read, or without a key to tell runs apart, track nothing.
_METRIC_FIELD = re.compile(
    r"^(?:val_|test_|train_|valid_|eval_|mean_|best_)?(accuracy|acc|precision|recall|f1|f1_score|auc|roc_auc|pr_auc|rmse|mae|mse|mape|smape|r2|r2_score|log_?loss|loss)$",
    re.IGNORECASE,
)
_RUN_KEY = re.compile(r"^(run_?id|run_name|run_key|experiment(?:_id|_name)?|trial(?:_id|_number)?|batch_id|model_version|version(?:_name|_id)?)$", re.IGNORECASE)
_RUN_TEXT = re.compile(r"run_?id|run_name|experiment|trial|batch_id|version", re.IGNORECASE)
_METRIC_TEXT = re.compile(r"accuracy|f1|auc|rmse|\bmae\b|\bmse\b|mape|r2|loss|precision|recall", re.IGNORECASE)
_TRAINS_OR_SCORES = re.compile(
    r"(^|\.)(fit|train|train_model|fit_model)$|(^|\.)(accuracy_score|f1_score|roc_auc_score|precision_score|recall_score|mean_squared_error|mean_absolute_error|r2_score|log_loss|mean_absolute_percentage_error)$"
)
# Writes that keep every run beside the earlier ones: rows inserted into a table or collection (a results
# file rewritten by each run keeps only the last: files count when opened for appending, `_appends`).
_RUN_WRITES = re.compile(r"(^|\.)(to_sql|insert_one|insert_many|add_all|bulk_save_objects|put_item)$")
_FILE_WRITES = re.compile(r"(^|\.)(json\.dumps?|dump|write|writerow|writerows|to_csv|to_json)$")


def _appends(node: ast.AST) -> bool:
    """A file opened for appending (`open(path, "a")`, `path.open("a")`, `to_csv(..., mode="a")`)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            modes = [a for a in sub.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            modes += [k.value for k in sub.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
            if call_name(sub) in ("open", "to_csv") and any(isinstance(m, ast.Constant) and m.value.startswith("a") and len(m.value) <= 3 for m in modes):
                return True
    return False
_RUN_READS = re.compile(r"(^|\.)(json\.loads?|read_csv|read_json|read_sql\w*|read_parquet|find|query|filter|filter_by|all|fetchall|fetchone|select)$")
RUN_NEEDLES = ("execute", "dump", "dumps", "write", "to_csv", "to_sql", "add", "insert_one", "writerow", "load", "loads", "read_csv", "read_json", "read_sql", "fetchall", "query", "filter")


_METRIC_KEY_TEXT = re.compile(
    r"[\"'](?:val_|test_|train_|valid_|eval_|mean_|best_)?(?:accuracy|acc|precision|recall|f1|f1_score|auc|roc_auc|pr_auc|rmse|mae|mse|mape|smape|r2|r2_score|log_?loss|loss)[\"']"
    r"|\b(?:accuracy|precision|recall|f1|f1_score|auc|roc_auc|rmse|mae|mse|mape|r2|r2_score|log_?loss|loss)[ \t]*=[^=]",
    re.IGNORECASE,
)
_SQL_TEXT = re.compile(r"\binsert[ \t\n]+into\b|\bselect\b[^;]{0,400}?\bfrom\b", re.IGNORECASE)


_SQL_INSERT_TEXT = re.compile(r"\binsert[ \t\n]+into\b", re.IGNORECASE)
_APPEND_TEXT = re.compile(r"[\"']a\+?[\"']")


_KEEP_TEXT = re.compile(r"\b(?:insert_one|insert_many|to_sql|add_all|bulk_save_objects|put_item)\b|\binsert[ \t\n]+into\b|[\"']a\+?[\"']", re.IGNORECASE)


def may_keep_runs(text: str) -> bool:
    """A run record's writer: as `may_record_runs`, and rows kept (an insert call, SQL INSERT, an append mode)."""
    return _KEEP_TEXT.search(text) is not None and may_record_runs(text)


def may_record_runs(text: str) -> bool:
    """A run key, and a metric named as a record's field: a quoted key or a keyword (`"f1"`, `auc=`),
    or a metric word in a file with SQL statements."""
    if _RUN_TEXT.search(text) is None or _METRIC_TEXT.search(text) is None:
        return False
    return _METRIC_KEY_TEXT.search(text) is not None or _SQL_TEXT.search(text) is not None


def _fields(nodes: list[ast.AST]) -> tuple[set[str], bool]:
    """(field names of the records the nodes build, an SQL INSERT among them): dict keys, keyword
    names of calls, and the columns of SQL INSERT statements."""
    fields: set[str] = set()
    insert = False
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Dict):
                fields |= {k.value for k in sub.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            elif isinstance(sub, ast.Call):
                fields |= {k.arg for k in sub.keywords if k.arg}
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) <= 2000 and _SQL_WRITE.match(sub.value):
                insert = True
                fields |= set(_SQL_WORD.findall(sub.value))
    return fields, insert


def run_records(repo: RepoIndex) -> list[Location]:
    # Summaries first: only a file that keeps rows (an insert call, SQL INSERT, a file opened for
    # appending) is parsed as a writer; readers are parsed once a writer's record names are known.
    modules: dict[str, ast.Module] = {}
    module_calls: dict[str, list[str]] = {}
    for summary in _inhouse.project_code(repo.python_mentioning(*RUN_NEEDLES, where=text_test(may_keep_runs))):
        calls = [c.name for c in summary.calls]
        text = repo.text(summary.path) or ""
        keeps = any(_RUN_WRITES.search(c) for c in calls) or _SQL_INSERT_TEXT.search(text) is not None or (
            any(_FILE_WRITES.search(c) for c in calls) and _APPEND_TEXT.search(text) is not None
        )
        if keeps:
            module = _inhouse.tree(repo, summary.path)
            if module is not None:
                modules[summary.path] = module
                module_calls[summary.path] = calls
    if not modules:
        return []
    known: dict[str, set[str]] = {}
    trees: dict[str, ast.Module | None] = dict(modules)

    def names(path: str) -> set[str]:
        if path not in known:
            tree = trees[path]
            known[path] = _record_names(tree) if tree is not None else set()
        return known[path]

    writers: list[tuple[str, int, set[str]]] = []
    for path, module in modules.items():
        if not any(_TRAINS_OR_SCORES.search(n) for n in module_calls[path]) and not _importer_with(repo, path, _TRAINS_OR_SCORES):
            continue  # neither it nor a module importing it trains or scores: not a run's record
        listed, own, nodes = _function_facts(module)
        own_fields: dict[str, tuple[set[str], bool]] = {}
        for line, name in _candidates(listed, nodes, (repo.text(path) or "").split("\n"), _METRIC_TEXT):
            reached = _reach_names(own, name)
            for n in reached:
                if n not in own_fields:
                    own_fields[n] = _fields([nodes[n]])  # each function walked once
            fields = set().union(*(own_fields[n][0] for n in reached))
            insert = any(own_fields[n][1] for n in reached)
            metrics = {f.lower() for f in fields if _METRIC_FIELD.match(f)}
            calls = [c for n in reached for c in own[n].calls]
            kept = insert or any(_RUN_WRITES.search(c) for c in calls) or (
                any(_FILE_WRITES.search(c) for c in calls) and any(_appends(nodes[n]) for n in reached)
            )
            if len(metrics) >= 2 and any(_RUN_KEY.match(f) for f in fields) and kept:
                writers.append((path, line, names(path)))
    hits: list[Location] = []
    candidates = list(_inhouse.project_code(repo.python_mentioning(*RUN_NEEDLES, where=text_test(may_record_runs)))) if writers else []
    for path, line, written in writers:
        for summary in candidates:
            other = summary.path
            if other not in trees:
                text = (repo.text(other) or "").lower()
                trees[other] = _inhouse.tree(repo, other) if any(n in text for n in written) else None
            module = trees[other]
            if module is None:
                continue
            shared = written & names(other)
            if not shared:
                continue
            readers = [
                func.lineno for _, func in functions(module)
                if (other, func.lineno) != (path, line) and _reads_record(func)
            ]
            if readers:
                hits += [at(path, line), at(other, readers[0])]
                break
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


def _reads_record(func: ast.AST) -> bool:
    if any(_RUN_READS.search(n) for n in _calls([func])):
        return True
    return any(isinstance(s, ast.Constant) and isinstance(s.value, str) and _SQL_READ.match(s.value) for s in ast.walk(func))
