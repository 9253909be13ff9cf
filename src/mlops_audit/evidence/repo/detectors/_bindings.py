"""Name binding (session 15): which project file an import names, the way Python finds it.

Python looks a module up in the folders of `sys.path`: the running script's folder first, then
whatever the code appends. Projects that are not installed packages put their own folders there -
`sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))`,
`sys.path.append(os.path.join(os.path.dirname(__file__), "..", "lib"))` - and then import the
modules of those folders by their bare names, often inside the function that uses them. Rules that
ask "does this file import that project module" resolve such imports here:

- `syspath_folders`: the repository folders a file adds to `sys.path`, from the expressions Python
  evaluates (`__file__`, `os.path.dirname/abspath/realpath/join`, `pathlib.Path(...)`, `.parent`,
  `.parents[n]`, `.resolve()`, `/`, `str(...)`, a module-level name bound to one of these, or a
  literal path), kept only when they stay inside the repository;
- `module_file`: the project file of an absolute import, looked for from the importer's folder
  upwards (a script's folder is on its path) and then in the folders the importer adds;
- `project_imports`: every project module a file imports, absolute (function-local ones included:
  the summary keeps them) and relative, with the names imported from it.

Nothing is executed: the expressions are read from the syntax tree, and only files whose text says
`sys.path` are walked.
"""

from __future__ import annotations

import ast
import posixpath
import re

from mlops_audit.evidence.repo.astutil import walk
from mlops_audit.evidence.repo.detectors import _inhouse
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.pysource import PythonSummary

_DIRNAME = frozenset({"os.path.dirname", "path.dirname", "dirname"})
_SAME = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "path.abspath", "path.realpath", "abspath", "realpath", "str", "os.fspath"})
_JOIN = frozenset({"os.path.join", "path.join", "join"})
_PATH = frozenset({"Path", "pathlib.Path", "PurePath", "pathlib.PurePath"})
_SAME_METHODS = frozenset({"resolve", "absolute", "expanduser"})
MAX_DEPTH = 12  # nested expressions followed per path
# The module after the dots starts with a word character: a run of dots is matched one way only.
_RELATIVE_IMPORT = re.compile(r"from[ \t]+(\.+)(\w[\w.]*)?[ \t]+import[ \t]+(\([^)]{0,2000}\)|[^\n]{0,500})")


def _evaluate(node: ast.AST, file: str, names: dict[str, ast.AST], depth: int = 0) -> str | None:
    """The repository-relative path (`""` = the root; may start with `..`) an expression denotes, or None."""
    if depth > MAX_DEPTH:
        return None
    again = lambda n: _evaluate(n, file, names, depth + 1)  # noqa: E731
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return file
        bound = names.get(node.id)
        return again(bound) if bound is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return None  # a literal is relative to the working directory: see `_literal`
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = again(node.value)
        return posixpath.join(base, "..") if base is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        base = again(node.value.value)
        index = node.slice.value if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int) else None
        return posixpath.join(base, *[".."] * (index + 1)) if base is not None and index is not None and 0 <= index < 10 else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        base = again(node.left)
        part = node.right.value if isinstance(node.right, ast.Constant) and isinstance(node.right.value, str) else None
        return posixpath.join(base, part) if base is not None and part is not None else None
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Attribute) and node.func.attr in _SAME_METHODS and not node.args:
        return again(node.func.value)
    name = _inhouse.dotted(node.func)
    if name in _DIRNAME and len(node.args) == 1:
        base = again(node.args[0])
        return posixpath.join(base, "..") if base is not None else None
    if (name in _SAME or name in _PATH) and len(node.args) == 1:
        return again(node.args[0])
    if (name in _JOIN or name in _PATH) and len(node.args) > 1:
        base = again(node.args[0])
        parts = [a.value for a in node.args[1:] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        return posixpath.join(base, *parts) if base is not None and len(parts) == len(node.args) - 1 else None
    return None


def _inside(path: str) -> str | None:
    """The normalised repository folder, or None when it leaves the repository."""
    normal = posixpath.normpath(path)
    if normal == ".":
        return ""
    return None if normal.startswith("..") or normal.startswith("/") else normal


def syspath_folders(repo: RepoIndex, path: str) -> tuple[str, ...]:
    """The repository folders `path` adds to `sys.path` (see the module text), in the order added."""
    text = repo.text(path) or ""
    if "sys.path" not in text or path.endswith(".ipynb"):
        return ()
    return repo.memo(f"bindings.syspath:{path}", lambda: _syspath_folders(repo, path))  # type: ignore[no-any-return]


def _syspath_folders(repo: RepoIndex, path: str) -> tuple[str, ...]:
    tree = _inhouse.tree(repo, path)
    if tree is None:
        return ()
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            names.setdefault(node.targets[0].id, node.value)
    folder = posixpath.dirname(path)
    found: list[str] = []
    for node in walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("insert", "append")):
            continue
        if _inhouse.dotted(node.func.value) != "sys.path" or not node.args:
            continue
        arg = node.args[-1]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            # A literal is relative to the working directory: the repository root or the script's folder.
            candidates = [arg.value, posixpath.join(folder, arg.value)]
        else:
            value = _evaluate(arg, path, names)
            candidates = [value] if value is not None else []
        for candidate in candidates:
            inside = _inside(candidate)
            if inside is not None and inside not in found:
                found.append(inside)
    return tuple(found)


def module_file(repo: RepoIndex, importer: str, module: str) -> str | None:
    """The project file of an absolute import: from the importer's folder upwards, then in the folders
    the importer puts on `sys.path`."""
    folders = importer.split("/")[:-1]
    relative = module.replace(".", "/")
    bases = ["/".join(folders[:depth]) for depth in range(len(folders), -1, -1)]
    if importer:
        bases += [f for f in syspath_folders(repo, importer) if f not in bases]
    for base in bases:
        for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
            path = f"{base}/{candidate}" if base else candidate
            if path != importer and repo.exists(path):
                return path
    return None


def relative_imports(text: str, importer: str) -> list[tuple[str, tuple[str, ...], int]]:
    """(dotted module from the repository root, imported names, line) of each relative import."""
    found = []
    folders = importer.split("/")[:-1]
    line, counted = 1, 0
    for match in _RELATIVE_IMPORT.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        dots, rest = len(match.group(1)), match.group(2) or ""
        if dots - 1 > len(folders):
            continue
        base = folders[: len(folders) - (dots - 1)]
        names = tuple(n.split(" as ")[0].strip() for n in match.group(3).strip("()").replace("\\", " ").split(",") if n.strip())
        module = ".".join(base + ([rest] if rest else []))
        found.append((module, tuple(n for n in names if n.isidentifier()), line))
    return found


def project_imports(repo: RepoIndex, summary: PythonSummary, *, src_layout: bool = False) -> list[tuple[str, tuple[str, ...], int | None]]:
    """(project file, names imported from it - empty for the module itself, line) of each import of a
    project module, absolute or relative; `from pkg import mod` names the file of `mod`. `src_layout`: an
    import found nowhere else is also looked for under the root's `src/` (the Python Packaging User Guide's
    "src layout": the package lives in `src/` and is importable once the project is installed)."""
    found: list[tuple[str, tuple[str, ...], int | None]] = []
    for module, line in summary.imports.items():
        path = module_file(repo, summary.path, module)
        if path is None and src_layout and not summary.path.startswith("src/"):
            path = module_file(repo, "", f"src.{module}")
        if path is not None:
            found.append((path, (), line))
            continue
        head, _, name = module.rpartition(".")
        path = module_file(repo, summary.path, head) if head else None
        if path is None and head and src_layout and not summary.path.startswith("src/"):
            path = module_file(repo, "", f"src.{head}")
        if path is not None:
            found.append((path, (name,), line))
    text = repo.text(summary.path) or ""
    if "from ." in text:
        for module, names, line in relative_imports(text, summary.path):
            path = module_file(repo, "", module) if module else None
            if path is None:
                continue
            plain = []
            for name in names:  # `from . import features`: the module is the imported name
                sub = module_file(repo, "", f"{module}.{name}")
                if sub is not None:
                    found.append((sub, (), line))
                else:
                    plain.append(name)
            found.append((path, tuple(plain), line))
    return [(p, n, line) for p, n, line in found if p != summary.path]
