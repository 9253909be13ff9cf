"""Rule `records routed to a quarantine` of validates_data (session 14).

Conventions §7 and §14: a check that quarantines bad records out of a training or fine-tuning set
acts on a failure. Teams write the quarantine as a second output beside the good one: each record of
a loop is judged and written either to the kept set or to a file opened on a quarantine or rejects
path, or appended to a list named for them,

    with open(quarantine_path, "w") as qout:
        for rec in records:
            if problems(rec):
                qout.write(json.dumps(rec) + "\\n")
            else:
                kept.append(rec)

    for row in rows:
        if row["quantity"] < 0 or row["sku"] not in known_skus:
            rejected.append(row)
            continue

(the dead-letter / quarantine pattern of data pipelines: Spark's `badRecordsPath`, dbt's and Great
Expectations' failed-rows tables). What counts: inside a `for` loop, a branch of an `if` (its body or
its `else`) writes to such a sink. The sink is named for setting records aside by the strong words
(`quarantine`, `rejected`, `rejects`, `dead_letter`) - its own name, or the path it was opened on
(`open(quarantine_path, "w")`, `open(out_dir / "rejected.jsonl", "a")`); a list so named counts when the
function writes it out (a quarantine kept, not reasons handed back to a caller such as a language model's
tool call). Weaker names (`bad`,
`invalid`) stay with the session-10 rule, which also asks for a named checker collecting problems.
Not counted: a write to the sink outside any `if` in a loop (a copy, not a verdict), or only in an
`except` handler (records that failed to parse, not a check of their content).

Pure functions over a parsed module: the detector (data.py) picks the files, sets tests, notebooks
and examples aside, and keeps only functions the project reaches.
"""

from __future__ import annotations

import ast
import re

from mlops_audit.evidence.repo.astutil import call_name, functions, identifiers, last_name, statements, walk

# The strong words of a set-aside sink (`quarantine_rows`, `rejected`, `REJECTS_PATH`, `dead_letter_queue`).
SINK_WORD = re.compile(r"quarantin|(?:^|_|\b)reject(?:ed|s)?(?:$|_|\b)|dead_?letter", re.IGNORECASE)
_OPENERS = frozenset({"open", "writer", "DictWriter", "NamedTemporaryFile"})
_WRITES = frozenset({"write", "writelines", "writerow", "writerows", "append", "extend", "to_csv", "to_parquet", "to_json", "put", "insert", "insert_one", "dump"})


def _names_sink(node: ast.AST) -> bool:
    """The expression names a set-aside place: an identifier or a string literal with a strong word."""
    if any(SINK_WORD.search(n) for n in identifiers(node)):
        return True
    return any(isinstance(c, ast.Constant) and isinstance(c.value, str) and SINK_WORD.search(c.value) for c in walk(node))


def _opened_sinks(func: ast.AST) -> set[str]:
    """Names bound to a file (or a CSV writer on one) opened on a set-aside path in `func`."""
    found: set[str] = set()
    for node in statements(func, into_scopes=False):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.context_expr, ast.Call) and call_name(item.context_expr) in _OPENERS and _names_sink(item.context_expr):
                    if isinstance(item.optional_vars, ast.Name):
                        found.add(item.optional_vars.id)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and call_name(node.value) in _OPENERS:
            opened_on = node.value.args[:1]
            if any(_names_sink(a) or (isinstance(a, ast.Name) and a.id in found) for a in opened_on):
                found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return found


def _is_sink_write(node: ast.AST, sinks: set[str]) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and call_name(node) in _WRITES and last_name(node.func.value) in sinks


def _first_sink_writes(func: ast.AST, sinks: set[str]) -> dict[int, tuple[int, int]]:
    """id of each node of `func` holding a write to a sink -> (its depth below the node, its line) for
    the write `walk(node)` meets first (the shallowest; at one depth, the one under the earliest
    child). Found in one walk: an `elif` chain's arms are not walked again for every arm."""
    order: list[ast.AST] = []
    stack: list[ast.AST] = [func]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(ast.iter_child_nodes(node))
    first: dict[int, tuple[int, int]] = {}
    for node in reversed(order):  # children before their parents
        if _is_sink_write(node, sinks):
            first[id(node)] = (0, node.lineno)  # type: ignore[attr-defined]
            continue
        mine: tuple[int, int] | None = None
        for child in ast.iter_child_nodes(node):
            found = first.get(id(child))
            if found is not None and (mine is None or found[0] + 1 < mine[0]):
                mine = (found[0] + 1, found[1])
        if mine is not None:
            first[id(node)] = mine
    return first


def _sink_write(body: list[ast.stmt], first: dict[int, tuple[int, int]]) -> int | None:
    """The line of the first write to a sink in `body` (statement by statement, each walked breadth first)."""
    return next((first[id(stmt)][1] for stmt in body if id(stmt) in first), None)


_PERSISTS = frozenset({"write", "writelines", "writerows", "to_csv", "to_parquet", "to_json", "to_sql", "dump", "insert", "insert_many", "put", "put_object", "save", "upload"})


def _kept_lists(func: ast.AST) -> set[str]:
    """Lists named for set-aside records that `func` writes out somewhere (`pd.DataFrame(rejected).to_csv(...)`,
    `json.dump(quarantine, f)`): a quarantine kept, not reasons handed back to a caller."""
    named: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "extend"):
            target = last_name(node.func.value)
            if SINK_WORD.search(target):
                named.add(target)
    if not named:
        return set()
    persisted: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Call) and call_name(node) in _PERSISTS:
            persisted |= identifiers(node) & named
    return persisted


def records_set_aside(module: ast.Module) -> list[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef, int, int]]:
    """(class, function, line of the `if`, line of the write) for each loop in a function that routes
    records to a set-aside sink on a verdict (see the module's docstring); the first per function."""
    found = []
    for owner, func in functions(module):
        sinks = _opened_sinks(func) | _kept_lists(func)
        if not sinks:
            continue
        first = _first_sink_writes(func, sinks)
        for loop in (n for n in statements(func, into_scopes=False) if isinstance(n, (ast.For, ast.AsyncFor))):
            if id(loop) not in first:
                continue
            hit = next(
                ((node.lineno, write) for node in walk(loop) if isinstance(node, ast.If)
                 for write in [_sink_write(node.body, first) or _sink_write(node.orelse, first)] if write is not None),
                None,
            )
            if hit is not None:
                found.append((owner, func, *hit))
                break
    return found


def may_set_aside(text: str) -> bool:
    """The text writes to or opens a sink named by a strong set-aside word, and has a loop and a test
    (tested before a file is parsed)."""
    if not any(word in text for word in _SINK_TEXT) or "for " not in text or "if " not in text:
        return False
    return _SINK_LINE.search(text) is not None


# The strong words as they are written (`quarantine`, `Quarantine`, `QUARANTINE_DIR`, `rejected`, `REJECTS`,
# `dead_letter`, `DeadLetter`): substrings tested without lowering the whole text.
_SINK_TEXT = ("uarantin", "UARANTIN", "eject", "EJECT", "ead_letter", "EAD_LETTER", "eadLetter")
# A line writing to such a sink (`rejected.append(`, `quarantine_rows.to_csv(`) or opening one
# (`open(quarantine_path, "w")`). Bounded repeats: linear in the text.
_SINK_LINE = re.compile(
    r"(?:uarantin|UARANTIN|eject|EJECT|ead_letter|EAD_LETTER|eadLetter)\w{0,40}[ \t]*\.[ \t]*(?:write|append|extend|to_csv|to_parquet|to_json|put|insert|dump)"
    r"|open\([^\n)]{0,200}(?:uarantin|UARANTIN|eject|EJECT|ead_letter|EAD_LETTER)"
)


# Rule `records rejected with reasons` (session 14): an ingestion loop checks each record in two or more
# ways, and for each failed check records the reason in a list of problems (`errors.append(RowError(...))`)
# and skips the record (`continue`), keeping the others in a list of their own that the step loads
# (`valid_rows.append(...)`) that the step then stores (insert, upsert, write): the row-level rejection of a
# load job (conventions §7: skip the bad records). Kept records handed back to a caller are not a load.
_PROBLEM_LIST = re.compile(r"error|issue|problem|reject|invalid|failure|violation|skipped|bad", re.IGNORECASE)


def _reads(node: ast.AST, names: set[str]) -> bool:
    return bool(identifiers(node) & names)


def _record_names(loop: ast.For | ast.AsyncFor) -> set[str]:
    """The loop's record and the names the loop body assigns from it (`store_id = stores.get(record.store_code)`)."""
    names = {n.id for n in walk(loop.target) if isinstance(n, ast.Name)}
    for _ in range(2):
        for node in walk(loop):
            if isinstance(node, ast.Assign) and _reads(node.value, names):
                for target in node.targets:
                    names |= {n.id for n in walk(target) if isinstance(n, ast.Name)}
    return names


def _rejects(branch: list[ast.stmt]) -> str | None:
    """The problems list a branch appends to before it skips the record with `continue`."""
    if not branch or not isinstance(branch[-1], ast.Continue):
        return None
    for stmt in branch:
        for node in walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "extend"):
                target = last_name(node.func.value)
                if _PROBLEM_LIST.search(target):
                    return target
    return None


# What a load step does with the kept records: insert, upsert, write or index them (`pg_insert(T).values(valid_rows)`).
_STORING = re.compile(r"insert|upsert|bulk|to_sql|to_parquet|to_csv|write|persist|add_all|add_documents|index_documents|save", re.IGNORECASE)


def _stored_names(func: ast.AST) -> set[str]:
    """The names read by the calls of `func` that name a store (`pg_insert(T).values(valid_rows)`): a
    kept list among them is stored. Records handed back to a caller (a language model's tool result)
    are not a load. Found once per function, whatever the number of its loops."""
    stored: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Call):
            names = identifiers(node)
            if any(_STORING.search(n) for n in names):
                stored |= names
    return stored


def records_rejected_with_reasons(module: ast.Module) -> list[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(class, function, line of the first rejecting `if`) for each loop that rejects records on two or more
    checks of the record and keeps the rest in a list of their own (see the rule above)."""
    found = []
    for owner, func in functions(module):
        stored: set[str] | None = None
        for loop in (n for n in statements(func, into_scopes=False) if isinstance(n, (ast.For, ast.AsyncFor))):
            record = _record_names(loop)
            rejecting = [
                (node.lineno, problems) for node in loop.body if isinstance(node, ast.If) and _reads(node.test, record)
                for problems in [_rejects(node.body)] if problems
            ]
            if len(rejecting) < 2:
                continue
            problem_lists = {p for _, p in rejecting}
            kept = {
                last_name(node.func.value) for stmt in loop.body if not isinstance(stmt, ast.If) for node in walk(stmt)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                and last_name(node.func.value) not in problem_lists and not _PROBLEM_LIST.search(last_name(node.func.value))
            }
            if kept and stored is None:
                stored = _stored_names(func)
            if kept & (stored or set()):
                found.append((owner, func, rejecting[0][0]))
                break
    return found


_PROBLEM_APPEND = re.compile(r"(?:error|issue|reject|invalid|problem|failure|violation|skipped)\w{0,30}\.append\(", re.IGNORECASE)
# The same, ending where the search ends: one `.append(` at a time (see `may_reject_records`).
_PROBLEM_APPEND_HERE = re.compile(_PROBLEM_APPEND.pattern + r"\Z", re.IGNORECASE)
_APPEND = ".append("
_PROBLEM_REACH = len("violation") + 30  # how far before its `.append(` a match can start


def may_reject_records(text: str) -> bool:
    """Two `continue`s and two appends to a list named for problems (tested before a file is parsed).

    What `_PROBLEM_APPEND.finditer` would count, without a case-blind search of the whole text: each
    match ends with a `.append(` and holds only word characters before it, so matches end at distinct
    `.append(`s and a `.append(` ends one exactly when the few characters before it (`_PROBLEM_REACH`)
    do. Case-blind matching is character by character: a match is as long as the word it matched."""
    if text.count("continue") < 2 or _APPEND not in text:
        return False
    found = 0
    at = text.find(_APPEND)
    while at != -1:
        end = at + len(_APPEND)
        if _PROBLEM_APPEND_HERE.search(text, max(0, at - _PROBLEM_REACH), end) is not None:
            found += 1
            if found >= 2:
                return True
        at = text.find(_APPEND, end)
    return False
