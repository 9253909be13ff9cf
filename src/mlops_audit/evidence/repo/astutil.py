"""Small pure helpers over `ast` nodes shared by the summary-time facts (`pyfacts`) and the
in-house rules (`detectors/_inhouse.py` re-exports them). No imports of the index: `pysource`
uses this module while summarising."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a name or attribute chain; calls in the chain become `()` (`X().get`); else ''."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            inner = dotted(node.func)
            parts.append((inner or "") + "()")
            break
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return ".".join(reversed(parts))


def last_name(node: ast.AST) -> str:
    """The final identifier of a name, attribute, subscript or call (`cfg.seed` -> `seed`)."""
    while isinstance(node, (ast.Subscript, ast.Call)):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def call_name(call: ast.Call) -> str:
    return last_name(call.func)


def identifiers(node: ast.AST) -> set[str]:
    """Every name and attribute identifier inside `node`."""
    found: set[str] = set()
    for sub in walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


# The fields that hold statements (a definition is always a statement): `_fields` order of every
# node type that has them (Try: body, handlers, orelse, finalbody; For/While/If: body, orelse; Match:
# cases; each handler and case: body). A Lambda's or IfExp's `body` is one expression, not a list.
_STATEMENT_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")
_STATEMENT_NODES = (ast.stmt, ast.excepthandler, ast.match_case)


def functions(module: ast.Module) -> Iterator[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(enclosing class name or None, function) for every function and method, nested ones included.

    The order is that of a depth-first walk over `ast.iter_child_nodes` with a stack (each node's
    functions as its children are met, then the last-met child's subtree first). Only statements
    are walked: expressions hold no definition, so leaving them out yields the same sequence."""
    stack: list[tuple[str | None, ast.AST]] = [(None, module)]
    while stack:
        owner, node = stack.pop()
        for field in _STATEMENT_FIELDS:
            children = getattr(node, field, None)
            if type(children) is not list:
                continue
            for child in children:
                if not isinstance(child, _STATEMENT_NODES):
                    continue
                if isinstance(child, ast.ClassDef):
                    stack.append((child.name, child))
                elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield owner, child
                    stack.append((owner, child))
                else:
                    stack.append((owner, child))


def statements(module: ast.AST, *, into_scopes: bool = True) -> Iterator[ast.AST]:
    """Every statement inside `module` (nested ones included; in no particular order), walking
    statement lists only: a statement is never inside an expression, so this finds every `For`
    that `ast.walk` finds, without visiting the expressions. `into_scopes=False`: a function's own
    statements - the functions and classes defined in it are yielded, their bodies not entered."""
    stack: list[ast.AST] = [module]
    while stack:
        node = stack.pop()
        for field in _STATEMENT_FIELDS:
            children = getattr(node, field, None)
            if type(children) is list:
                for child in children:
                    if isinstance(child, _STATEMENT_NODES):
                        if isinstance(child, ast.stmt):
                            yield child
                        if into_scopes or not isinstance(child, _SCOPES):
                            stack.append(child)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


# Node types that never have a child node (names, constants, contexts, operators): a walk that
# looks for other nodes need not queue them.
_CHILDLESS = frozenset(
    cls for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.AST) and cls._fields == () and cls is not ast.AST
) | {ast.Name, ast.Constant, ast.alias}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def calls_in(node: ast.AST) -> list[ast.Call]:
    """The calls inside `node` (itself included), in `ast.walk` order (breadth first, children in
    `iter_child_nodes` order). The same walk without its generators, and without queueing nodes
    that have no children (they hold no call)."""
    found: list[ast.Call] = []
    queue = deque([node])
    while queue:
        current = queue.popleft()
        kind = type(current)
        if kind is ast.Call:
            found.append(current)  # type: ignore[arg-type]
        fields = _NODE_FIELDS.get(kind)
        if fields is None:
            fields = _NODE_FIELDS[kind] = tuple(getattr(kind, "_fields", ()))
        for name in fields:
            value = getattr(current, name, None)
            if type(value) is list:
                queue.extend([item for item in value if isinstance(item, ast.AST) and type(item) not in _CHILDLESS])
            elif isinstance(value, ast.AST) and type(value) not in _CHILDLESS:
                queue.append(value)
    return found


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk`: the same nodes in the same order (breadth first, each node's children in
    `ast.iter_child_nodes` order, queued before it is yielded), about a third faster - the children
    are found in the loop, not by two nested generators per node (`iter_child_nodes`, `iter_fields`)."""
    todo = deque([node])
    pop, push, AST = todo.popleft, todo.append, ast.AST
    while todo:
        node = pop()
        for name in node._fields:
            value = getattr(node, name, None)  # (`iter_fields` skips a missing field: None is no child either)
            if isinstance(value, AST):
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        push(item)
        yield node


def parents(node: ast.AST) -> dict[ast.AST, ast.AST]:
    """child -> parent for every node under `node`, filled as `ast.walk` and `ast.iter_child_nodes` meet them
    (a shared node, such as the `Load` context, maps to the last parent met)."""
    out: dict[ast.AST, ast.AST] = {}
    AST = ast.AST
    for parent in walk(node):
        for name in parent._fields:
            value = getattr(parent, name, None)
            if isinstance(value, AST):
                out[value] = parent
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        out[item] = parent
    return out


def assigned_names(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(assigned_names(e) for e in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return assigned_names(target.value)
    return set()


def parse_module(code: str, filename: str) -> tuple[ast.Module, int]:
    """The module of `code`, and how many f-/t-strings could not be analysed (0 normally).

    Code written for a newer Python than the running one (PEP 701 f-strings, PEP 695 generics,
    t-strings...) is parsed after `newsyntax.downlevel` rewrote those constructs on the same lines;
    the count says how many strings were blanked for it. Code written as a Jinja template (project
    templates) is parsed as `templatedpy.parse_template` reads it. SyntaxError (or ValueError, RecursionError,
    MemoryError) when the code is not valid Python of any version this knows."""
    try:
        return ast.parse(code, filename=filename), 0
    except SyntaxError:
        from mlops_audit.evidence.repo.newsyntax import parse_newer

        newer = parse_newer(code, filename)
        if newer is None:
            from mlops_audit.evidence.repo.templatedpy import parse_template

            templated = parse_template(code, filename)  # a Jinja-templated file of a project template
            if templated is None:
                raise
            return templated, 0
        module, rewrite = newer
        return module, rewrite.blanked
