"""What a Python file (or a notebook's code cells) does, read with `ast` only: never imported or run.

A `PythonSummary` keeps the facts detectors ask about, compactly, so that a large tree can be
parsed once: imported modules, calls and decorators with their names resolved through import
aliases (`import mlflow as mf; mf.log_param()` -> `mlflow.log_param`), constant keyword arguments,
classes with their bases, and test functions with whether they assert anything; and the per-file
facts the in-house rules need (`pyfacts`), so that neither they nor the parse cache need the tree.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlops_audit.evidence.repo import pyfacts
from mlops_audit.evidence.repo.astutil import call_name, parse_module, statements, walk

# IPython magics and shell escapes in notebook cells are not Python: each becomes `pass` at its
# indentation (a magic may be the only statement of an `if` block) and its backslash-continued lines
# are blanked; `files = !ls` keeps its assignment with None. Line numbers are kept.
_MAGIC = re.compile(r"^\s*[%!?]")
_SHELL_ASSIGNMENT = re.compile(r"^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[!%](?!=)")


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # resolved dotted name, e.g. "mlflow.log_param"; ".optimize" for a method on an unknown object
    line: int | None
    keywords: tuple[tuple[str, object], ...] = ()  # (name, constant value or Ellipsis when not a constant)
    args: tuple[object, ...] = ()  # first positional arguments: constant values or Ellipsis
    scope: str | None = None  # name of the innermost function the call is in (None at module level)

    def keyword(self, name: str) -> object | None:
        for key, value in self.keywords:
            if key == name:
                return value
        return None

    def has_keyword(self, name: str) -> bool:
        return any(key == name for key, _ in self.keywords)


# A notebook has no line numbers of its own: a position in it is (code cell, line in that cell),
# packed into one int so that Call and friends keep `line: int | None`. The collector turns it into
# the line of the .ipynb file holding that code (see `RepoIndex.file_line`) before anything is shown.
NOTEBOOK_CELL_STRIDE = 1_000_000


def notebook_position(cell: int, line: int) -> int:
    return (cell + 1) * NOTEBOOK_CELL_STRIDE + line


def split_notebook_position(position: int) -> tuple[int, int]:
    """(code cell index, line within the cell) of a `notebook_position`."""
    return position // NOTEBOOK_CELL_STRIDE - 1, position % NOTEBOOK_CELL_STRIDE


@dataclass(frozen=True, slots=True)
class TestFunction:
    name: str
    line: int | None
    asserts: bool


class FactSource(Protocol):
    """Where a summary's facts are computed from when first asked: the file's text and syntax tree
    (None for code that does not parse). The tree is asked for only when the fact may hold
    something (`pyfacts.possible`): it may have to be parsed again."""

    def text(self) -> str: ...

    def tree(self) -> ast.Module | None: ...


@dataclass(frozen=True)
class KnownSource:
    """A `FactSource` of a tree and text at hand (while summarising)."""

    module: ast.Module
    code: str

    def text(self) -> str:
        return self.code

    def tree(self) -> ast.Module | None:
        return self.module


@dataclass
class PythonSummary:
    path: str
    is_notebook: bool = False
    imports: dict[str, int | None] = field(default_factory=dict)  # module -> first line
    calls: list[Call] = field(default_factory=list)
    decorators: list[Call] = field(default_factory=list)
    functions: dict[str, int | None] = field(default_factory=dict)  # top-level and method names
    classes: list[tuple[str, tuple[str, ...], int | None, tuple[str, ...]]] = field(default_factory=list)
    tests: list[TestFunction] = field(default_factory=list)
    assigned_dicts: list[tuple[str, int, int | None]] = field(default_factory=list)  # (target attr, dict size, line)
    syntax_errors: int = 0
    # f-/t-strings of a newer Python's syntax, blanked to parse the rest (`newsyntax`): not analysed.
    unread_strings: int = 0
    call_names: tuple[str, ...] = ()  # sorted last names of every call as written (`astutil.call_name`: no alias resolved)

    cell: int = 0  # while summarising a notebook: the code cell being read
    # Facts for the in-house rules (`pyfacts`, plain files only), by name (FACTS): read through the
    # properties below. A fact not in the dict is computed on first use from `source` (the file's
    # tree and text, given by the index), so a file no rule asks about never pays for it.
    facts: dict[str, Any] = field(default_factory=dict)
    source: FactSource | None = field(default=None, compare=False, repr=False)
    on_fact: Callable[[PythonSummary], None] | None = field(default=None, compare=False, repr=False)  # told after a fact is computed
    digest: str | None = field(default=None, compare=False, repr=False)  # the parse cache's key of the content, when cached

    def fact(self, name: str) -> Any:
        """A per-file fact (see FACTS), computed on first use when the summary was made without it.
        A source that follows what rules read (`read_fact`: the index's, for the rule memo) is told."""
        reader = getattr(self.source, "read_fact", None)
        if reader is not None:
            return reader(self, name)
        return self.computed_fact(name)

    def computed_fact(self, name: str) -> Any:
        """`fact` without telling the source."""
        try:
            return self.facts[name]
        except KeyError:
            pass
        if name not in FACTS:
            raise KeyError(f"no per-file fact named {name!r}")
        if self.is_notebook:
            value = FACTS[name]
        elif self.source is None:
            raise RuntimeError(f"{self.path}: fact {name!r} was not computed and the summary has no source to compute it from")
        else:
            value = _compute_fact(name, self, self.source)
        self.facts[name] = value
        if self.on_fact is not None:
            self.on_fact(self)
        return value

    @property
    def data_checkers(self) -> list[tuple[str, int]]:
        """(name, line) of data-checker functions."""
        return self.fact("data_checkers")  # type: ignore[no-any-return]

    @property
    def grid_loops(self) -> list[tuple[int, tuple[str, ...]]]:
        """(line, names called in the loop)."""
        return self.fact("grid_loops")  # type: ignore[no-any-return]

    @property
    def schema_checks(self) -> list[int]:
        """Lines of the schema-check rule's hits."""
        return self.fact("schema_checks")  # type: ignore[no-any-return]

    @property
    def data_test_asserts(self) -> list[int]:
        """Lines of the data-tests rule's hits."""
        return self.fact("data_test_asserts")  # type: ignore[no-any-return]

    @property
    def asserting_helpers(self) -> tuple[str, ...]:
        """Sorted names of non-test functions that assert."""
        return self.fact("asserting_helpers")  # type: ignore[no-any-return]

    @property
    def constant_only_tests(self) -> tuple[str, ...]:
        """Sorted names of test functions asserting on constants only."""
        return self.fact("constant_only_tests")  # type: ignore[no-any-return]

    @property
    def helper_calling_tests(self) -> tuple[str, ...]:
        """Sorted names of the scopes (test functions) holding a call whose last name part is one of
        the file's `asserting_helpers`: the unit-tests rule asks this of a test that does not assert
        itself, so a cached summary answers without decoding its calls."""
        return self.fact("helper_calling_tests")  # type: ignore[no-any-return]

    @property
    def seed_constants(self) -> list[tuple[str, int]]:
        """(seed key, line) of fixed seed constants."""
        return self.fact("seed_constants")  # type: ignore[no-any-return]

    @property
    def seed_uses(self) -> list[tuple[int, str]]:
        """(line, seed key) of values named like a seed passed on."""
        return self.fact("seed_uses")  # type: ignore[no-any-return]

    def line(self, node_line: int | None) -> int | None:
        if not self.is_notebook or node_line is None:
            return node_line
        return notebook_position(self.cell, node_line)

    def imports_module(self, *prefixes: str) -> bool:
        wanted = set(prefixes)
        return any(_under(m, wanted) for m in self.imports)

    def calls_to(self, *prefixes: str) -> list[Call]:
        """Calls whose resolved name equals a prefix or lies under it (`mlflow` matches `mlflow.log_param`)."""
        wanted = set(prefixes)
        return [c for c in self.calls if _under(c.name, wanted)]

    def calls_with_keyword(self, *names: str) -> list[Call]:
        """Calls passing one of `names` as a keyword argument, in order."""
        wanted = set(names)
        return [c for c in self.calls if any(k in wanted for k, _ in c.keywords)]

    @property
    def resolved_names(self) -> tuple[str, ...]:
        """The resolved names of the calls (`Call.name`), sorted, each once: for a rule that only
        asks whether some call's name matches (a cached summary answers from its call index
        without decoding its calls, `cacheform`)."""
        return call_index(self.calls)[0]

    def calls_named(self, *names: str) -> list[Call]:
        """Calls whose last name part is one of `names` (for methods on objects of unknown type)."""
        wanted = set(names)
        return [c for c in self.calls if c.name.rsplit(".", 1)[-1] in wanted]

    def decorated_by(self, *prefixes: str) -> list[Call]:
        wanted = set(prefixes)
        return [d for d in self.decorators if _under(d.name, wanted)]


def call_index(calls: list[Call]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the calls' resolved names, the keyword names they pass), each sorted, each once."""
    return tuple(sorted({c.name for c in calls})), tuple(sorted({k for c in calls for k, _ in c.keywords}))


def _under(name: str, wanted: set[str]) -> bool:
    """`name` is one of `wanted` or a dotted child of one (checked per dot: linear in the name)."""
    if name in wanted:
        return True
    dot = name.find(".")
    while dot != -1:
        if name[:dot] in wanted:
            return True
        dot = name.find(".", dot + 1)
    return False


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):  # e.g. mlflow.MlflowClient().create_model_version -> ".create_model_version"
        inner = _dotted(node.func)
        if parts:
            return (inner or "") + "()." + ".".join(reversed(parts))
        return None
    if parts:
        return "." + ".".join(reversed(parts))
    return None


def _constant(node: ast.AST) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)):
            return -value
    if isinstance(node, ast.Dict):
        return {"__dict_size__": len(node.keys)}
    return Ellipsis


_ASSERTING_CALL = re.compile(r"(^|\.)(assert\w*|raises|approx|fail|expect\w*|check\w*)$", re.IGNORECASE)


# Markers on the traversal stack: the end of a class or function body.
_END_CLASS = ast.Pass()
_END_FUNCTION = ast.Pass()
# Nodes that never contain a call, import or definition: not descended into.
_LEAVES = frozenset({ast.Constant, ast.Name, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue, ast.alias})


# Field values that are never descended into: leaf nodes, and the plain values some fields hold.
_NOT_VISITED = _LEAVES | {type(None), str, int, bool}
# Fields that hold identifiers, flags, contexts or operators, never a node worth visiting.
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "name", "arg", "asname", "module", "level", "kind", "type_comment", "conversion", "is_async", "simple", "op", "ops"})
# The node types the traversal acts on; every other node is only descended into.
_ACTED_ON = frozenset({ast.Call, ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.Assert, ast.Raise})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that may hold child nodes, last first (see `_Visitor.visit`)."""
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = tuple(reversed([f for f in getattr(kind, "_fields", ()) if f not in _SCALAR_FIELDS]))
    return fields


class _Visitor:
    def __init__(self, summary: PythonSummary) -> None:
        self.s = summary
        self.aliases: dict[str, str] = {}
        self.class_stack: list[tuple[str, tuple[str, ...]]] = []
        self.function_stack: list[str] = []
        # Whether a test function asserts is decided during the one traversal: the tests whose
        # bodies are being traversed are open; an assert, raise or asserting call marks them all.
        self.test_stack: list[int | None] = []  # per function on function_stack: its index in s.tests
        self.open_tests: list[int] = []
        self.asserting: list[bool] = []  # per entry of s.tests
        self.call_names: set[str] = set()  # `astutil.call_name` of every call seen

    # Imports --------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.s.imports.setdefault(alias.name, node.lineno)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                self.aliases.setdefault(head, head)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # relative imports name the scanned project itself
        self.s.imports.setdefault(node.module, node.lineno)
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{node.module}.{alias.name}"
            self.s.imports.setdefault(full, node.lineno)
            self.aliases[alias.asname or alias.name] = full

    def resolve(self, node: ast.AST) -> str | None:
        name = _dotted(node)
        if name is None:
            return None
        if name.startswith(".") or "()" in name.split(".")[0]:
            return name
        head, _, rest = name.partition(".")
        if head in self.aliases:
            full = self.aliases[head]
            return f"{full}.{rest}" if rest else full
        if "()" in name:
            return "." + name.rsplit(".", 1)[-1]
        # A method on self keeps only its attribute path; other local names stay as written.
        if head in ("self", "cls") and rest:
            return "." + rest
        return name

    # Traversal: depth-first in source order (aliases must be seen before their use), iterative
    # (no recursion limit on deep code) and without NodeVisitor's per-node method dispatch.
    def visit(self, tree: ast.AST) -> None:
        stack: list[ast.AST] = [tree]
        fields_of, not_visited, attribute = _FIELDS, _NOT_VISITED, ast.Attribute
        while stack:
            node = stack.pop()
            if node is _END_CLASS:
                self.class_stack.pop()
                continue
            if node is _END_FUNCTION:
                self.function_stack.pop()
                if self.test_stack.pop() is not None:
                    self._close_test()
                continue
            kind = type(node)
            if kind not in _ACTED_ON:
                pass
            elif kind is ast.Call:
                self._call(node)  # type: ignore[arg-type]
                if self.open_tests and _ASSERTING_CALL.search(_dotted(node.func) or ""):  # type: ignore[attr-defined]
                    self._mark_open_tests()
            elif kind is ast.Import:
                self.visit_Import(node)  # type: ignore[arg-type]
            elif kind is ast.ImportFrom:
                self.visit_ImportFrom(node)  # type: ignore[arg-type]
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                test = self._function(node)  # type: ignore[arg-type]
                self.function_stack.append(node.name)  # type: ignore[attr-defined]
                self.test_stack.append(test)
                if test is not None:
                    self.open_tests.append(test)
                stack.append(_END_FUNCTION)
            elif kind is ast.ClassDef:
                self._class(node)  # type: ignore[arg-type]
                stack.append(_END_CLASS)
            elif kind is ast.Assign:
                self._assign(node)  # type: ignore[arg-type]
            elif (kind is ast.Assert or kind is ast.Raise) and self.open_tests:
                self._mark_open_tests()
            # Children pushed last-first so they pop in source order; only fields that can hold
            # nodes, and no leaves, None, names or numbers. An attribute chain (`a.b.c`) is not
            # acted on and holds one child, its value: what is pushed is the innermost value, which
            # pops where the chain would have (a chain's value is met right after the chain).
            fields = fields_of.get(kind)
            for field in _child_fields(kind) if fields is None else fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in reversed(value):
                        while type(item) is attribute:
                            item = item.value
                        if type(item) not in not_visited:
                            stack.append(item)
                else:
                    while type(value) is attribute:
                        value = value.value
                    if type(value) not in not_visited:
                        stack.append(value)

    def _call(self, node: ast.Call) -> None:
        self.call_names.add(call_name(node))
        name = self.resolve(node.func)
        if name:
            keywords = tuple((k.arg, _constant(k.value)) for k in node.keywords if k.arg)
            args = tuple(_constant(a) for a in node.args[:4])
            scope = self.function_stack[-1] if self.function_stack else None
            self.s.calls.append(Call(name, self.s.line(node.lineno), keywords, args, scope))

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            name = self.resolve(target)
            if name:
                keywords = (
                    tuple((k.arg, _constant(k.value)) for k in dec.keywords if k.arg) if isinstance(dec, ast.Call) else ()
                )
                self.s.decorators.append(Call(name, self.s.line(dec.lineno), keywords))

    def _mark_open_tests(self) -> None:
        for index in self.open_tests:
            self.asserting[index] = True

    def _close_test(self) -> None:
        index = self.open_tests.pop()
        test = self.s.tests[index]
        self.s.tests[index] = TestFunction(test.name, test.line, self.asserting[index])

    def reset(self) -> None:
        """Before each notebook cell (and after an aborted traversal): no class or function is open."""
        while self.open_tests:
            self._close_test()
        self.class_stack.clear()
        self.function_stack.clear()
        self.test_stack.clear()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
        """Record a function; for a test function, its index in `s.tests` (whether it asserts is
        settled when its body has been traversed: any assert, raise or assert*/raises/... call in it,
        nested definitions included)."""
        self._decorators(node)
        self.s.functions.setdefault(node.name, self.s.line(node.lineno))
        in_test_class = bool(self.class_stack) and (
            self.class_stack[-1][0].startswith("Test")
            or any(b.endswith("TestCase") for b in self.class_stack[-1][1])
        )
        if node.name.startswith("test") and (not self.class_stack or in_test_class):
            self.s.tests.append(TestFunction(node.name, self.s.line(node.lineno), False))
            self.asserting.append(False)
            return len(self.s.tests) - 1
        return None

    def _class(self, node: ast.ClassDef) -> None:
        self._decorators(node)
        bases = tuple(b for b in (self.resolve(base) for base in node.bases) if b)
        methods = tuple(
            item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        )
        self.s.classes.append((node.name, bases, self.s.line(node.lineno), methods))
        self.class_stack.append((node.name, bases))

    def _assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Dict):
            for target in node.targets:
                name = _dotted(target)
                if name:
                    self.s.assigned_dicts.append((name, len(node.value.keys), self.s.line(node.lineno)))


def _asserts(func: ast.AST) -> bool:
    """Whether a test function asserts, by its definition: the visitor settles the same in its one
    traversal (`_Visitor._mark_open_tests`); tests compare the two."""
    for node in walk(func):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = _dotted(node.func) or ""
            if _ASSERTING_CALL.search(name):
                return True
        if isinstance(node, ast.Raise):
            return True
    return False


_WRITEFILE_PY = re.compile(r"^%%writefile\s+(-a\s+)?\S+\.py\s*$")


def _blank_magics(code: str) -> str | None:
    """Python of a notebook cell: line magics blanked; cell magics (%%bash...) are not Python, except
    `%%writefile x.py`, whose body is a Python file the notebook writes."""
    lines = code.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        if not _WRITEFILE_PY.match(first):
            return None
        index = next(i for i, line in enumerate(lines) if line.strip())
        lines[index] = ""
    out: list[str] = []
    continued = False
    for line in lines:
        if continued:  # a continuation line of a shell command or magic
            out.append("")
        elif _MAGIC.match(line):
            out.append(line[: len(line) - len(line.lstrip())] + "pass")
        elif assignment := _SHELL_ASSIGNMENT.match(line):
            out.append(assignment.group(1) + "None")
        else:
            out.append(line)
            continue
        continued = line.rstrip().endswith("\\")
    return "\n".join(out)


# The per-file facts and their value where there is nothing (a notebook, code that does not parse).
FACTS: dict[str, Any] = {
    "data_checkers": [],
    "grid_loops": [],
    "schema_checks": [],
    "data_test_asserts": [],
    "asserting_helpers": (),
    "constant_only_tests": (),
    "helper_calling_tests": (),
    "seed_constants": [],
    "seed_uses": [],
}


def _compute_fact(name: str, summary: PythonSummary, source: FactSource) -> Any:
    """One fact of a plain file from its parsed module, its source and its summary's other fields.
    The tree is asked for only when `pyfacts.possible` says the fact may hold something: otherwise
    the fact is empty, as its function would find (and as for code that does not parse)."""
    if name in ("asserting_helpers", "constant_only_tests", "helper_calling_tests") and not summary.tests:
        return FACTS[name]  # the unit-tests rule reads these facts only of files with test functions
    if name == "helper_calling_tests":  # from the summary alone: its calls and its asserting helpers
        known = summary.facts.get("asserting_helpers")  # absent while `summarise` computes every fact at once
        helpers = set(known if known is not None else _compute_fact("asserting_helpers", summary, source))
        if not helpers:
            return FACTS[name]
        return tuple(sorted({c.scope for c in summary.calls if c.scope is not None and c.name.rsplit(".", 1)[-1] in helpers}))
    if not pyfacts.possible(name, summary, source.text):
        return FACTS[name]
    tree = source.tree()
    if tree is None:
        return FACTS[name]
    if name == "data_checkers":
        return pyfacts.data_checkers(tree, ((c.name, c.scope) for c in summary.calls))
    code = source.text()
    if name == "grid_loops":  # every `for` statement (order does not matter) and the calls' names
        return pyfacts.grid_loops(tree, [n for n in statements(tree) if type(n) is ast.For], set(summary.call_names), code)
    if name == "schema_checks":
        return pyfacts.schema_checks(tree, code, summary.classes)
    if name == "data_test_asserts":
        return pyfacts.data_test_asserts(tree, (c.name for c in summary.calls))
    if name == "asserting_helpers":
        return pyfacts.asserting_helpers(tree, code)
    if name == "constant_only_tests":
        return pyfacts.constant_only_tests(tree, code)
    if name == "seed_constants":
        return pyfacts.seed_constants(tree, code)
    return pyfacts.seed_uses(tree, code)


def summarise(
    path: str, sources: list[str], *, is_notebook: bool = False, on_tree: Callable[[ast.Module], None] | None = None, facts: bool = True
) -> PythonSummary:
    """Parse one file (one source) or a notebook (one source per code cell). Never raises on bad code.
    `on_tree` is given each parsed module (so a caller that also needs the syntax tree of a plain
    file does not parse it a second time). `facts`: compute every per-file fact now; without, each
    is computed on first use from the summary's `source`, which the caller sets."""
    summary = PythonSummary(path=path, is_notebook=is_notebook)
    visitor = _Visitor(summary)  # one visitor: a notebook's imports in one cell serve the later cells
    for cell, code in enumerate(sources):
        summary.cell = cell
        if is_notebook:
            python = _blank_magics(code)
            if python is None:
                continue
            code = python
        try:
            tree, blanked = parse_module(code, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            summary.syntax_errors += 1
            continue
        summary.unread_strings += blanked
        if on_tree is not None:
            on_tree(tree)
        try:
            visitor.reset()
            visitor.visit(tree)
            complete = True
        except RecursionError:
            summary.syntax_errors += 1
            complete = False
        if not is_notebook:  # the in-house rules read no notebooks
            names = visitor.call_names if complete else {call_name(n) for n in walk(tree) if isinstance(n, ast.Call)}
            summary.call_names = tuple(sorted(names))
            if facts:
                known = KnownSource(tree, code)
                summary.facts = {name: _compute_fact(name, summary, known) for name in FACTS}
    visitor.reset()
    if facts:
        summary.facts = {**FACTS, **summary.facts}  # notebooks and code that does not parse: nothing
    return summary
