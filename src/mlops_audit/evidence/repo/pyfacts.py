"""Per-file facts for the in-house rules, derived from a file's syntax tree while it is summarised.

The in-house rules (`detectors/_inhouse.py`) recognise practices a team built itself, which needs
more than calls and imports: which function checks data values, for instance. What such a rule
decides about one file alone is computed here, once, from the tree `pysource.summarise` already
has, and kept in the `PythonSummary` (so the per-file parse cache serves it and a rule needs no
syntax tree for that file). Pure functions of the tree; the rules combine the facts across files.

Facts:
- `data_checkers`: (name, line) of the functions that check data in at least two ways, at least one
  on the values (the candidates of the in-house data-quality gate rule, `detectors/data.py`).
- `schema_checks`: lines where rows are validated with a pydantic model the file defines, or where
  a test compares a frame's columns in a module that names a schema (the schema-check rule,
  `detectors/data.py`).
- `data_test_asserts`: in a module that reads a dataset, the first assert on data values or columns
  of each test function that does not make its own data (the data-tests rule, `detectors/data.py`,
  which keeps test files only: facts never depend on the path).
- `grid_loops`: (line, names called in the loop) of each loop over hyper-parameter settings that
  keeps the best setting, per enclosing function (the in-house grid search rule,
  `detectors/experiments.py`, decides from the names whether each setting is evaluated).
- `asserting_helpers`: names of the functions not named `test*` that assert (a test calling one
  asserts through it), and `constant_only_tests`: names of the `test*` functions whose every assert
  is on constants only (`assert 1 + 1 == 2`): the unit-tests rule, `detectors/tests.py`.
- `seed_constants`: (key, line) of module or class constants fixing a seed (`SEED = 42`,
  `SEED = int(os.getenv("SEED", 42))`), and `seed_uses`: (line, key) of each place a function passes
  a value named like a seed to `random_state=`/`seed=` or a seeding call (the declared-seed rule,
  `detectors/experiments.py`, which keeps the uses of keys the project declares, in training code).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from mlops_audit.evidence.repo.astutil import assigned_names, call_name, calls_in, dotted, functions, identifiers, last_name, parents, statements, walk

CHECK_CALLS = {
    "missing": frozenset({"isna", "isnull", "notna", "notnull"}),
    "duplicates": frozenset({"duplicated", "has_duplicates"}),
    "range": frozenset({"between"}),
}
VALUE_CHECK_CALLS = frozenset().union(*CHECK_CALLS.values())
RANGE_HELPER = re.compile(r"out_of_range|in_range|valid_range|outside_range|range_check|check_range|out_of_bounds", re.IGNORECASE)
VALUE_KINDS = frozenset({"missing", "duplicates", "range"})
_REDUCTIONS = frozenset({"any", "all", "sum", "mean", "max", "min", "count", "item", "nunique"})


def _tested(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """A value-level primitive is a check when its result is measured or decided on (`.any()`,
    `.mean()`, a comparison, an `if`), not when it filters or cleans (`df[df.x.notna()]`)."""
    child = node
    while child in up:
        parent = up[child]
        if isinstance(parent, ast.Attribute) and parent.attr in _REDUCTIONS:
            return True
        if isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
            return True
        if isinstance(parent, (ast.If, ast.While, ast.Assert, ast.IfExp)) and child is parent.test:
            return True
        if isinstance(parent, ast.Call) and call_name(parent) in _REDUCTIONS | {"float", "int", "bool", "round", "len"}:
            return True
        if isinstance(parent, (ast.stmt, ast.Subscript)):
            return False
        child = parent
    return False


def check_kinds(node: ast.AST, up: dict[ast.AST, ast.AST] | None = None) -> set[str]:
    """Kinds of data checks inside `node`. Missing/duplicate/range primitives count when their result
    is measured or decided on; schema, row-count and class checks only inside a comparison (reading
    `.columns` or `len(df)` is not checking them)."""
    kinds: set[str] = set()
    up = parents(node) if up is None else up
    for sub in walk(node):
        if isinstance(sub, ast.Call):
            name = call_name(sub)
            for kind, names in CHECK_CALLS.items():
                if name in names and _tested(sub, up):
                    kinds.add(kind)
            if RANGE_HELPER.search(name) and _tested(sub, up):
                kinds.add("range")
        elif isinstance(sub, ast.Attribute) and sub.attr in ("hasnans", "is_unique") and _tested(sub, up):
            kinds.add("missing" if sub.attr == "hasnans" else "duplicates")
        elif isinstance(sub, ast.Compare):
            for part in walk(sub):
                if isinstance(part, ast.Attribute) and part.attr in ("columns", "dtypes", "dtype"):
                    kinds.add("schema")
                elif isinstance(part, ast.Call) and call_name(part) == "len":
                    kinds.add("rows")
                elif isinstance(part, ast.Attribute) and part.attr == "shape":
                    kinds.add("rows")
                elif isinstance(part, ast.Call) and call_name(part) in ("nunique", "value_counts"):
                    kinds.add("classes")
    return kinds


def is_checker(func: ast.AST) -> bool:
    """Checks data in at least two ways, at least one on the values (missing, duplicates, ranges):
    structural argument checks alone (`len(x)`, `col in df.columns`) are how any library validates
    its arguments, not a data-quality check."""
    kinds = check_kinds(func)
    return len(kinds) >= 2 and bool(kinds & VALUE_KINDS)


def data_checkers(module: ast.Module, call_facts: Iterable[tuple[str, str | None]]) -> list[tuple[str, int]]:
    """(name, line) of the checker functions of a module, in `functions` order. `call_facts` are the
    file's resolved calls as (name, innermost function): only a function named like one that calls
    a value-check primitive is looked at (cheap, and most files have none)."""
    scopes = checker_scopes(call_facts)
    if not scopes:
        return []
    return [(func.name, func.lineno) for _, func in functions(module) if func.name in scopes and is_checker(func)]


def checker_scopes(call_facts: Iterable[tuple[str, str | None]]) -> set[str]:
    """Names of the functions that call a value-check primitive (`data_checkers` looks at no other)."""
    return {
        scope for name, scope in call_facts
        if scope and (name.rsplit(".", 1)[-1] in VALUE_CHECK_CALLS or RANGE_HELPER.search(name))
    }


GRID_ITER = re.compile(r"grid|param|product|combination|search_space|config_space", re.IGNORECASE)
_NOT_HYPERPARAMETERS = frozenset({"random_state", "seed", "cv", "n_jobs", "verbose", "scoring", "n_splits"})
# A best setting is selected by a max/min over the results, or by ranking them (`sort_values`, `nsmallest`).
_SELECTIONS = frozenset({"max", "min", "argmax", "argmin", "idxmax", "idxmin", "nlargest", "nsmallest", "sort_values"})
# A random search written by hand: `for k in range(n_trials): hp = sample_hp(rng)` - a loop over a
# trial budget that draws each setting from a sampler named for parameters.
_TRIAL_BUDGET = re.compile(r"trial|iter|sample|search|budget", re.IGNORECASE)
# A parameter sampler's name (`sample_hp`, `sample_params`, `hparams_sampler`). Bounded repeats: the
# pattern also runs on identifiers cut from big files (experiments._samples_settings).
SAMPLER_NAME = re.compile(r"sample_?\w{0,30}?(?:hp|hparam|hyper|param|config)|(?:hp|hparam|hyper|param|config)\w{0,30}?_sampl", re.IGNORECASE)
MAX_SAMPLER_NAME = 80  # longer identifiers are not tested (a generated token in a data file is no sampler)


def grid_like(loop: ast.For) -> bool:
    """The loop walks hyper-parameter settings: grid points (`for params in grid_points(grid)`,
    `ParameterGrid`, `itertools.product`), a literal list whose item is passed as a model keyword, or
    a trial budget whose every trial draws a setting from a parameter sampler (random search)."""
    if GRID_ITER.search(dotted(loop.iter)) or GRID_ITER.search(last_name(loop.iter)):
        return True
    if isinstance(loop.iter, ast.Call) and call_name(loop.iter) == "range" and loop.iter.args:
        budget = loop.iter.args[1] if len(loop.iter.args) > 1 else loop.iter.args[0]  # range(stop) / range(start, stop[, step])
        if _TRIAL_BUDGET.search(dotted(budget) or last_name(budget)) and any(SAMPLER_NAME.search(call_name(c)[:MAX_SAMPLER_NAME]) for c in calls_in(loop)):
            return True
    if isinstance(loop.iter, (ast.List, ast.Tuple)) and loop.iter.elts:
        if all(isinstance(e, ast.Dict) for e in loop.iter.elts):
            return True
        targets = assigned_names(loop.target)
        for call in calls_in(loop):
            for keyword in call.keywords:
                if keyword.arg not in _NOT_HYPERPARAMETERS and isinstance(keyword.value, ast.Name) and keyword.value.id in targets:
                    return True
    return False


def keeps_best(func: ast.AST, loop: ast.For) -> bool:
    """The best point is selected: a comparison with a `best...` value inside the loop, or a max/min
    over the collected results in the same function."""
    for node in walk(loop):
        if isinstance(node, ast.Compare) and any("best" in name.lower() for name in identifiers(node)):
            return True
    return any(call_name(c) in _SELECTIONS for c in calls_in(func))


def may_select(call_names: Iterable[str], text: str) -> bool:
    """Something in the file may select a best setting: a max/min-like call or `best` in the text
    (`keeps_best` needs one of them)."""
    return not _SELECTIONS.isdisjoint(call_names) or "best" in text.lower()


def grid_loops(module: ast.Module, loops: Iterable[ast.For], call_names: set[str], text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, sorted names called inside) of every loop that walks hyper-parameter settings and keeps
    the best, once per function that encloses it (a loop in a nested function is listed for the
    outer function too), in `functions` order. `loops` are the module's `for` loops, `call_names`
    its calls' names, `text` its source: when no loop is grid-like, or nothing could select a best
    (no max/min call, no `best` in the text), nothing else is walked."""
    if not may_select(call_names, text):
        return []
    grid = [loop.lineno for loop in loops if grid_like(loop)]
    if not grid:
        return []
    found = []
    for _, func in functions(module):
        end = func.end_lineno or func.lineno
        if not any(func.lineno <= line <= end for line in grid):
            continue  # encloses no grid-like loop (a `for` statement within its lines is inside it)
        for loop in (n for n in walk(func) if isinstance(n, ast.For)):
            if grid_like(loop) and keeps_best(func, loop):
                found.append((loop.lineno, tuple(sorted({call_name(c) for c in calls_in(loop)}))))
    return found


SCHEMA_NEEDLES = ("BaseModel", "columns", "shape")  # a file mentioning none is not a candidate of the schema rule
_ROW_ITERATORS = frozenset({"to_dict", "iterrows", "itertuples", "to_dicts", "iter_rows"})
_ROW_ITERATOR_WORDS = ("to_dict", "iterrows", "itertuples", "iter_rows")  # one of them is in every name of _ROW_ITERATORS
_COLUMN_ATTRS = frozenset({"columns", "dtypes", "dtype"})
_COLUMN_WORDS = ("columns", "dtype", "shape")  # the same for _COLUMN_ATTRS and `shape`
_SCHEMA_WORD = re.compile(r"schema", re.IGNORECASE)
_PYDANTIC_VALIDATE = frozenset({"model_validate", "parse_obj", "validate"})


def about_columns(compare: ast.Compare) -> bool:
    """The comparison is about a frame's columns: `.columns`, `.dtypes`, or the column count
    `.shape[1]` (a row count, `.shape[0]`, says nothing about the schema)."""
    for sub in walk(compare):
        if isinstance(sub, ast.Attribute) and sub.attr in _COLUMN_ATTRS:
            return True
        if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Attribute) and sub.value.attr == "shape":
            if isinstance(sub.slice, ast.Constant) and sub.slice.value == 1:
                return True
    return False


def _rows_iterated(node: ast.AST, row_names: set[str]) -> bool:
    """The loop walks rows: a row iterator call (`df.to_dict("records")`, `iterrows()`) or a name
    assigned from one in the same function (`records = df.to_dict(...)`; `enumerate(records)`)."""
    for sub in walk(node):
        if isinstance(sub, ast.Call) and call_name(sub) in _ROW_ITERATORS:
            return True
        if isinstance(sub, ast.Name) and sub.id in row_names:
            return True
    return False


def _row_models(classes: Iterable[tuple[str, tuple[str, ...], int | None, tuple[str, ...]]]) -> set[str]:
    """The pydantic models a module defines (rows validated one by one with one are a schema check)."""
    return {name for name, bases, _, _ in classes if any(b.startswith("pydantic.") and b.endswith("BaseModel") for b in bases)}


def _may_name(text: str, words: tuple[str, ...]) -> bool:
    """The code `text` may name an identifier holding one of `words`: it holds one, or it is not ASCII
    (the parser reads identifiers NFKC-normalised: a fullwidth `ｃolumns` is `columns` to it)."""
    return not text.isascii() or any(word in text for word in words)


def schema_checks(module: ast.Module, text: str, classes: Iterable[tuple[str, tuple[str, ...], int | None, tuple[str, ...]]]) -> list[int]:
    """Lines of the schema-check rule's hits in one module (`text` its source, `classes` its
    summary's classes): (a) rows of a frame validated one by one with a pydantic model the module
    defines, (b) an `assert` on a frame's columns, or an `if`/`while` testing them (or a name the
    function derives from them: `missing = set(required) - set(df.columns)`) that acts when the data
    fails (raises, exits or aborts, records the problem, sets it aside, returns False; a log line or a
    warning alone is not acting, conventions §7), in a module whose
    text names a schema. At most one of each per function; column selection (`if col in df.columns:`
    without `else`) and branches that only compute are left out, and so is every hit of a module
    that declares no schema (no pydantic model, and "schema" only as one a reader infers:
    `_declares_a_schema`)."""
    if not any(needle in text for needle in SCHEMA_NEEDLES):
        return []
    row_models = _row_models(classes)
    mentions_schema = bool(_SCHEMA_WORD.search(text))
    if not (row_models or mentions_schema):
        return []
    # An attribute or a call is named in the text (`_may_name`): a text without the names settles a question without walking the tree.
    if not row_models and not (_may_name(text, _COLUMN_WORDS) and any(isinstance(n, ast.Attribute) and (n.attr in _COLUMN_ATTRS or n.attr == "shape") for n in walk(module))):
        return []  # one linear pass: nothing here reads a frame's columns, so no function can test them
    rows_iterated = bool(row_models) and _may_name(text, _ROW_ITERATOR_WORDS)  # else no loop walks rows (`_rows_iterated`)
    lines: list[int] = []
    for _, func in functions(module):
        loops: list[ast.For | ast.comprehension] = []
        if rows_iterated:
            row_names = {
                t.id for n in walk(func) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                and call_name(n.value) in _ROW_ITERATORS for t in n.targets if isinstance(t, ast.Name)
            }
            loops = [n for n in walk(func) if isinstance(n, (ast.For, ast.comprehension)) and _rows_iterated(n.iter, row_names)]
        for loop in loops:
            body = loop if isinstance(loop, ast.For) else func
            for call in calls_in(body):
                name = call_name(call)
                owner = dotted(call.func).split(".")[0]
                if name in row_models or (name in _PYDANTIC_VALIDATE and owner in row_models):
                    lines.append(call.lineno)
                    break
        if not mentions_schema:
            continue
        # One walk for what the function assigns, what it tests, and whether it reads a frame's columns
        # at all: without `.columns`/`.dtypes`/`.dtype`/`.shape` no test of it can be about them.
        assigns: list[ast.Assign] = []
        tests: list[ast.If | ast.Assert | ast.While] = []
        reads_columns = False
        for node in walk(func):
            if isinstance(node, ast.Assign):
                assigns.append(node)
            elif isinstance(node, (ast.If, ast.Assert, ast.While)):
                tests.append(node)
            elif isinstance(node, ast.Attribute) and (node.attr in _COLUMN_ATTRS or node.attr == "shape"):
                reads_columns = True
        if not (reads_columns and tests):
            continue
        derived = _column_derived_names(assigns)
        for node in tests:
            if not _tests_columns(node.test, derived):
                continue
            if type(node) is ast.If and not node.orelse and _only_membership(node.test):
                continue  # column selection (`if col in df.columns: df[col] = ...`): uses what exists, checks nothing
            if isinstance(node, ast.Assert) or _acts_on_failure(node.body + node.orelse) or _guard_then_fails(func, node):
                lines.append(node.lineno)
                break
    if lines and not _declares_a_schema(text, classes):
        return []
    return lines


# A reader's inferred schema and its introspection (Spark's `inferSchema`, `printSchema()`,
# `df.schema[c].dataType`): the module names "schema" without declaring one.
_INFERRED_SCHEMA = re.compile(r"infer_?schema|printSchema|\.schema\s*\[[^\]\n]*\]\s*\.\s*dataType|\.schema\.fields\b", re.IGNORECASE)


def _declares_a_schema(text: str, classes: Iterable[tuple[str, tuple[str, ...], int | None, tuple[str, ...]]]) -> bool:
    """The schema the rule compares columns with is declared: a pydantic model (any class with a
    `pydantic.` base), or the word "schema" in the module other than as an inferred schema."""
    if any(any(b.startswith("pydantic.") for b in bases) for _, bases, _, _ in classes):
        return True
    return bool(_SCHEMA_WORD.search(_INFERRED_SCHEMA.sub(" ", text)))


def _column_derived_names(assigns: Iterable[ast.Assign]) -> set[str]:
    """Names a function assigns (`assigns`: its assignments) from its frame's columns (`missing =
    set(required) - set(df.columns)`, `extra = [c for c in df.columns if c not in schema]`): testing
    them tests the columns."""
    names: set[str] = set()
    for node in assigns:
        if any(isinstance(s, ast.Attribute) and s.attr in _COLUMN_ATTRS for s in walk(node.value)):
            for target in node.targets:
                names |= assigned_names(target)
    return names


def _tests_columns(test: ast.AST, derived: set[str]) -> bool:
    if any(about_columns(c) for c in walk(test) if isinstance(c, ast.Compare)):
        return True
    return bool(derived) and any(isinstance(n, ast.Name) and n.id in derived for n in walk(test))


# What a check does when the data fails it: raises or asserts, exits or aborts,
# records the problem (`issues.append(...)`, `errors.add(...)`), reports failure (`return False`,
# `return False, issues`) or moves the data aside (`move(file, bad_data_dir)`, a quarantine folder). A test whose branches only compute (`if "x" in df.columns: a() else: b()`)
# chooses a computation; it does not check the data.
#
# Calls that stop on a failed check. Logging or warning about it (`log.warning`, `logger.error`,
# `warnings.warn`) is not acting (conventions §7: raise, stop the run, skip or quarantine, alert, fail a
# gate): the run goes on with the data as it is (session 18).
_FAILURE_CALLS = frozenset({"fatal", "exit", "abort", "fail"})
_PROBLEM_LIST = re.compile(r"error|issue|problem|fail|invalid|violation|missing|warning|alert|mismatch", re.IGNORECASE)
_SET_ASIDE = re.compile(r"(^|_)(bad|rejected?|quarantined?|invalid|corrupt(ed)?)(_|$)", re.IGNORECASE)


def _guard_then_fails(func: ast.AST, node: ast.If | ast.While) -> bool:
    """`if frame.shape[1] == expected: return True` then `raise ...`: the branch returns when the data
    passes, and what follows it in the function is the failure path."""
    if not any(isinstance(s, ast.Return) for s in node.body):
        return False
    for block in (getattr(n, field, None) for n in walk(func) for field in ("body", "orelse", "finalbody")):
        if isinstance(block, list) and any(s is node for s in block):
            after = block[next(i for i, s in enumerate(block) if s is node) + 1:]
            return _acts_on_failure(after)
    return False


def _acts_on_failure(statements: list[ast.stmt]) -> bool:
    for statement in statements:
        for sub in walk(statement):
            if isinstance(sub, (ast.Raise, ast.Assert)):
                return True
            if isinstance(sub, ast.Return) and sub.value is not None:
                first = sub.value.elts[0] if isinstance(sub.value, ast.Tuple) and sub.value.elts else sub.value
                if isinstance(first, ast.Constant) and first.value is False:
                    return True
            if isinstance(sub, (ast.Name, ast.Attribute)) and _SET_ASIDE.search(sub.id if isinstance(sub, ast.Name) else sub.attr):
                return True
            if isinstance(sub, ast.Call):
                name = call_name(sub)
                if name in _FAILURE_CALLS:
                    return True
                if name in ("append", "extend", "add") and isinstance(sub.func, ast.Attribute) and _PROBLEM_LIST.search(last_name(sub.func.value)):
                    return True
    return False


def _only_membership(test: ast.AST) -> bool:
    compares = [c for c in walk(test) if isinstance(c, ast.Compare) and about_columns(c)]
    return bool(compares) and all(all(isinstance(op, ast.In) for op in c.ops) for c in compares)


READS_DATA = frozenset({"read_csv", "read_parquet", "read_json", "read_sql", "read_excel", "read_feather", "read_table", "load_dataset"})
_TEMP_FIXTURES = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory"})
_BUILDS_FRAME = frozenset({"DataFrame", "TemporaryDirectory", "NamedTemporaryFile", "mkdtemp", "mkstemp"})
BUILDS_FRAME = _BUILDS_FRAME  # what a test or fixture calls to make up its own data (detectors/data.py sets fixtures aside)


def _makes_its_own_data(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A test given a temporary folder, or building a frame or temporary file itself, checks what
    the project's code does to data it made up (a contract test), not the project's data."""
    args = {a.arg for a in func.args.args + func.args.kwonlyargs}
    return bool(args & _TEMP_FIXTURES) or any(call_name(c) in _BUILDS_FRAME for c in calls_in(func))


def reads_data(call_facts: Iterable[str]) -> bool:
    """A call reads a dataset (`data_test_asserts` looks at modules with one only)."""
    return any(name.rsplit(".", 1)[-1] in READS_DATA for name in call_facts)


def data_test_asserts(module: ast.Module, call_facts: Iterable[str]) -> list[int]:
    """Lines of the data-tests rule's hits in one module: a module that reads a dataset (`call_facts`:
    its summary's resolved call names), in each `test*` function that does not make its own data, the
    first assert on missing values, duplicates, ranges, or columns and dtypes."""
    if not reads_data(call_facts):
        return []
    lines = []
    for _, func in functions(module):
        if not func.name.startswith("test") or _makes_its_own_data(func):
            continue
        for node in (n for n in walk(func) if isinstance(n, ast.Assert)):
            checks = any(isinstance(c, ast.Call) and call_name(c) in VALUE_CHECK_CALLS for c in walk(node.test))
            columns = any(about_columns(c) for c in walk(node.test) if isinstance(c, ast.Compare))
            if checks or columns:
                lines.append(node.lineno)
                break
    return lines


def asserting_helpers(module: ast.Module, text: str) -> tuple[str, ...]:
    """Sorted names of the functions not named `test*` that hold an `assert` (nested ones included)."""
    if "assert" not in text:
        return ()
    return tuple(sorted({
        func.name for _, func in functions(module)
        if not func.name.startswith("test") and any(isinstance(n, ast.Assert) for n in walk(func))
    }))


# A line that may be an assertion on constants only: files without one are not walked for it. The
# non-letter runs stay on the line and the second one follows the keyword only: two open runs side by
# side (`[^A-Za-z_]*(...)?[^A-Za-z_]*`, crossing line ends) tried every split of a long run of digits
# after an `assert` (quadratic: 4 KB took 0.08 s, a capped file hours). A run reaching its line's end
# matched before too, so the same files are walked.
CONSTANT_ASSERT_LINE = re.compile(r"^[^\S\n]*assert\s[^A-Za-z_\n]*(?:(?:True|False|None)[^A-Za-z_\n]*)?$", re.MULTILINE)


def _trivial(node: ast.Assert) -> bool:
    """`assert True`, `assert 1 + 1 == 2`: nothing but constants, so nothing of the project is checked."""
    return not any(isinstance(n, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) for n in walk(node.test))


def constant_only_tests(module: ast.Module, text: str) -> tuple[str, ...]:
    """Sorted names of the `test*` functions that assert, and only on constants."""
    if not CONSTANT_ASSERT_LINE.search(text):
        return ()
    found: set[str] = set()
    for _, func in functions(module):
        if func.name.startswith("test"):
            asserts = [n for n in walk(func) if isinstance(n, ast.Assert)]
            if asserts and all(_trivial(a) for a in asserts):
                found.add(func.name)
    return tuple(sorted(found))


SEED_KEYS = frozenset({"seed", "random_seed", "random_state", "global_seed", "rng_seed"})
_SEED_WORD = re.compile(r"seed|random_state", re.IGNORECASE)  # every seed key holds one: a file without is not walked
_SEED_ARGS = ("random_state", "seed")
_SEEDING_FUNCTIONS = frozenset({"default_rng", "manual_seed", "manual_seed_all", "set_seed", "seed_everything", "set_random_seed", "RandomState"})


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _env_with_fixed_default(value: ast.AST | None) -> bool:
    """`int(os.environ.get("SEED", 42))` / `os.getenv("SEED", "42")`: a seed from the environment
    with a fixed default, so runs repeat unless someone sets it on purpose."""
    for call in (n for n in walk(value) if isinstance(n, ast.Call)) if value is not None else ():
        name = dotted(call.func)
        if name.endswith(("environ.get", "getenv")) and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
            default = call.args[1].value
            return _int(default) or (isinstance(default, str) and default.isdigit())
    return False


def seed_constants(module: ast.Module, text: str) -> list[tuple[str, int]]:
    """(lower-case key, line) of each module or class constant named like a seed with a fixed value."""
    if not _SEED_WORD.search(text):
        return []
    found = []
    for body in [module.body] + [n.body for n in module.body if isinstance(n, ast.ClassDef)]:
        for node in body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else getattr(node, "target", None)
            value = getattr(node, "value", None)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(target, ast.Name) and target.id.lower() in SEED_KEYS:
                if (isinstance(value, ast.Constant) and _int(value.value)) or _env_with_fixed_default(value):
                    found.append((target.id.lower(), node.lineno))
    return found


def _seed_subscript(target: ast.AST) -> bool:
    return isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and target.slice.value in _SEED_ARGS


def _config_key(value: ast.AST) -> str:
    """The key a value is read from configuration by: `cfg.get("random_seed")`, `cfg["random_seed"]`."""
    if isinstance(value, ast.Call) and call_name(value) == "get" and value.args and isinstance(value.args[0], ast.Constant):
        return str(value.args[0].value)
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant) and isinstance(value.slice.value, str):
        return value.slice.value
    return ""


def _seed_sites(func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[list[tuple[ast.AST, list[ast.expr]]], dict[str, ast.AST]]:
    """Keyword arguments, seeding calls, and parameter dicts handed to a model
    (`params = {"random_state": RANDOM_STATE}`; `Model(**params)`; `params.setdefault(...)`) with
    the values they seed with, and the function's simple assignments (name -> value)."""
    sites: list[tuple[ast.AST, list[ast.expr]]] = []
    local: dict[str, ast.AST] = {}
    for node in walk(func):
        if isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                local[node.targets[0].id] = node.value
            elif any(_seed_subscript(t) for t in node.targets):
                sites.append((node, [node.value]))  # params["random_state"] = seed
        elif isinstance(node, ast.Call):
            values = [k.value for k in node.keywords if k.arg in _SEED_ARGS]
            name = call_name(node)
            if name in _SEEDING_FUNCTIONS and node.args:
                values.append(node.args[0])
            elif name == "setdefault" and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value in _SEED_ARGS:
                values.append(node.args[1])  # params.setdefault("random_state", seed)
            if values:
                sites.append((node, values))
        elif isinstance(node, ast.Dict):
            values = [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value in _SEED_ARGS]
            if values:
                sites.append((node, values))
    return sites, local


def seed_uses(module: ast.Module, text: str) -> list[tuple[int, str]]:
    """(line, lower-case key) of each place a function seeds with a variable or config attribute
    named like a seed (`random_state=SEED`, `seed = cfg.seed; set_seed(seed)`,
    `seed = cfg.get("random_seed")`), per enclosing function in `functions` order. A parameter
    defaulting to None, a call (`np.random.randint()`) or a literal is not a use of a declared seed."""
    if not _SEED_WORD.search(text):
        return []
    found = []
    for _, func in functions(module):
        positional = func.args.posonlyargs + func.args.args
        defaults = dict(zip([a.arg for a in positional][::-1], func.args.defaults[::-1]))
        defaults.update({a.arg: d for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults) if d is not None})
        params = {a.arg for a in positional + func.args.kwonlyargs}
        sites, local = _seed_sites(func)
        for site, values in sites:
            for value in values:
                if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
                    value = value.elts[0]  # default_rng([seed, stream]): the seed comes first
                if not isinstance(value, (ast.Name, ast.Attribute)):
                    continue
                if isinstance(value, ast.Name) and value.id in params:
                    default = defaults.get(value.id)
                    if isinstance(default, ast.Constant) and default.value is None:
                        continue  # `random_state=None` unless a caller passes one: not fixed
                name = last_name(value)
                if isinstance(value, ast.Name) and value.id in local and isinstance(local[value.id], (ast.Name, ast.Attribute)):
                    name = last_name(local[value.id])  # seed = cfg.seed
                elif isinstance(value, ast.Name) and value.id in local and _config_key(local[value.id]):
                    name = _config_key(local[value.id])  # seed = cfg.get("random_seed") / cfg["random_seed"]
                if name.lower() in SEED_KEYS:
                    found.append((site.lineno, name.lower()))  # type: ignore[attr-defined]
    return found


class FactInputs(Protocol):
    """What `possible` reads of a file's summary (`pysource.PythonSummary`)."""

    calls: list[Any]  # pysource.Call: .name, .scope
    call_names: tuple[str, ...]
    classes: list[tuple[str, tuple[str, ...], int | None, tuple[str, ...]]]


def possible(name: str, summary: FactInputs, text: Callable[[], str]) -> bool:
    """A necessary condition for the fact `name` to hold anything, from the file's summary and (only
    when the summary does not settle it) its text: each is the first test the fact's function
    makes before it walks the tree. When it is False the fact is empty, and nothing needs the
    file's syntax tree (which may have left the tree cache: it would be parsed again)."""
    if name == "data_checkers":
        return bool(checker_scopes((c.name, c.scope) for c in summary.calls))
    if name == "data_test_asserts":
        return reads_data(c.name for c in summary.calls)
    if name == "grid_loops":
        return may_select(summary.call_names, text())
    if name == "schema_checks":
        code = text()
        return any(needle in code for needle in SCHEMA_NEEDLES) and bool(_row_models(summary.classes) or _SCHEMA_WORD.search(code))
    if name == "asserting_helpers":
        return "assert" in text()
    if name == "constant_only_tests":
        return CONSTANT_ASSERT_LINE.search(text()) is not None
    if name in ("seed_constants", "seed_uses"):
        return _SEED_WORD.search(text()) is not None
    raise KeyError(f"no per-file fact named {name!r}")
