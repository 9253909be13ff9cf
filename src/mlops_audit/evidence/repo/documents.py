"""Documentation sites: code inside a documentation site's source tree is documentation.

A notebook or a script kept in the source folder of a documentation site (a course page's lesson
notebook, a tutorial's example script, a Sphinx-Gallery example, the built site's downloadable
copies) illustrates a practice to readers; it is not the project practising it. Its seed does not
make the project's training repeatable, its `GridSearchCV` does not tune the project's model, its
FastAPI route serves nothing. So, as for installed distributions (`thirdparty`), the index leaves
the Python files and notebooks of documentation trees out of the listing for every detector
(`RepoIndex`, `docs/collector.md`); the documents themselves (Markdown, reStructuredText, images)
stay, so the design-document rules read them as before.

A documentation tree is only ever taken from a site's own configuration:

- MkDocs (`mkdocs.yml`/`mkdocs.yaml`): its `docs_dir` (default `docs/`, relative to the config's
  folder), and its built `site_dir` (default `site/`) when a build is committed there (an
  `index.html`, `404.html` or `sitemap.xml` at its top: a `site/` folder of other code is not one);
- Sphinx: the folder of a `conf.py` that configures Sphinx (assigns `extensions`, `html_theme`,
  `master_doc` or `root_doc`) beside an `index`/`contents` document, and its `_build/` (with the
  `source/` layout, the sibling `build/`);
- Jupyter Book: the folder holding both `_config.yml` and `_toc.yml`, and its `_build/`;
- Quarto: the folder of `_quarto.yml`, and its output (`_site/`, `_book/`, or `output-dir`).

A Sphinx, Jupyter Book or Quarto folder that is the repository root or a package root (it holds
`pyproject.toml`, `setup.py` or `setup.cfg`), and an MkDocs `docs_dir` that is a package root
(`docs_dir: .` beside `pyproject.toml`), is the project's own folder, documented in place: it is
not taken (the note says so). A `docs/` folder without a site configuration is not a
documentation tree.

**A folder that is only a documentation site** (a site's configuration folder holding no project
files anywhere below it: no `pyproject.toml`, requirements, Dockerfile, Makefile, CI files... the
names `thirdparty.is_project_file` knows; and no Python module outside the site's own trees) is
taken whole: a course site's lesson notebooks in `notebooks/` beside its `docs/` teach, as its
pages do. A Python module there (`churn/train.py`) is a project's code, so such a folder is not
taken whole (only its docs folder is).

Within a taken tree, a folder that holds project files of its own (a requirements file, a
Dockerfile) is a project and keeps its code, whatever the site configuration says: the same
guard `thirdparty` applies to RECORD files, since hiding a file can only remove what a check sees.

Everything here is pure except the `read` callback the index passes in; configurations are read
within the index's per-file cap and recognised by a few lines of text (never executed, never
loaded as Python; MkDocs configurations are not parsed as YAML either, since their `!!python/name`
tags are not plain YAML).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from mlops_audit.evidence.repo.thirdparty import CODE_SUFFIXES, parent, project_folder, under

MAX_TREES = 200  # trees named in the collection's summary (all are counted)
_PACKAGE_ROOT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")

_MKDOCS = ("mkdocs.yml", "mkdocs.yaml")
_SPHINX = ("conf.py",)
_JUPYTER_BOOK = ("_toc.yml", "_toc.yaml")
_QUARTO = ("_quarto.yml", "_quarto.yaml")
_CONFIG_NAMES = frozenset(_MKDOCS + _SPHINX + _JUPYTER_BOOK + _QUARTO)
_CONFIG_SUFFIXES = tuple("/" + n for n in _CONFIG_NAMES)

# Top-level MkDocs keys (no indentation): `docs_dir: src/docs`, `site_dir: "public"`.
_MKDOCS_KEY = re.compile(r"^(docs_dir|site_dir)[ \t]*:[ \t]*['\"]?([^'\"#\n]*?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)
_SPHINX_SETTING = re.compile(r"^(extensions|html_theme|master_doc|root_doc)[ \t]*(?::[^=\n]*)?=", re.MULTILINE)
_SPHINX_INDEX = ("index.rst", "index.md", "contents.rst", "index.ipynb", "index.txt")
_BUILT_PAGES = ("index.html", "404.html", "sitemap.xml")  # what every MkDocs build writes at the top of its site_dir
_QUARTO_OUTPUT = re.compile(r"^[ \t]+output-dir[ \t]*:[ \t]*['\"]?([^'\"#\n]*?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class DocsTree:
    """One documentation tree whose code was left out."""

    path: str  # repository-relative folder ('' = the repository root)
    config: str  # the configuration file that makes it one
    why: str  # "MkDocs docs_dir", "MkDocs built site (site_dir)", "MkDocs site with no project files (whole folder)"...
    code_files: int = 0  # Python files and notebooks of it left out


@dataclass
class DocumentationCode:
    """What `find_documentation_code` decided: the code files left out, per tree, and the site
    configurations (or folders of them) that were not taken, with why."""

    left_out: set[str] = field(default_factory=set)
    trees: list[DocsTree] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _join(folder: str, relative: str) -> str | None:
    """`relative` (a configured folder) from `folder`, repository-relative; None when it is absolute
    or leaves the repository."""
    relative = relative.strip()
    if not relative or relative.startswith("/") or "\\" in relative or "://" in relative:
        return None
    normal = posixpath.normpath(posixpath.join(folder, relative) if folder else relative)
    if normal == ".":
        return ""
    return None if normal == ".." or normal.startswith("../") else normal


def _text(read: Callable[[str], bytes | None], rel: str) -> str:
    data = read(rel)
    return data.decode("utf-8", "replace") if data else ""


def _candidate_trees(listing: Sequence[str], names: set[str], read: Callable[[str], bytes | None], notes: list[str]) -> list[tuple[str | None, str, str, str]]:
    """(tree folder, config, why, site kind) for every site configuration found, in path order. The
    tree is None for a Sphinx, Jupyter Book or Quarto folder that is the repository root or a package
    root: taken only when it is a site and nothing else (decided by the caller)."""
    found: list[tuple[str | None, str, str, str]] = []
    configs = [f for f in listing if f in _CONFIG_NAMES or f.endswith(_CONFIG_SUFFIXES)]
    for config in configs:
        folder, name = parent(config), config.rsplit("/", 1)[-1]
        if name in _MKDOCS:
            keys = dict(_MKDOCS_KEY.findall(_text(read, config)))
            for key, default, why in (("docs_dir", "docs", "MkDocs docs_dir"), ("site_dir", "site", "MkDocs built site (site_dir)")):
                tree = _join(folder, keys.get(key) or default)
                if tree is None:
                    notes.append(f"{config}: its {key} is outside the repository; not taken")
                elif key == "docs_dir" and any(_inside(tree, p) in names for p in _PACKAGE_ROOT_FILES):
                    # `docs_dir: .` in a package root publishes the package's own README and notes: like
                    # a Sphinx package root, the folder is a documentation tree only when it is a site
                    # and nothing else (a course site over the whole repository is taken as before).
                    found.append((None, config, why, "MkDocs"))
                elif key == "docs_dir" or any(_inside(tree, page) in names for page in _BUILT_PAGES):
                    found.append((tree, config, why, "MkDocs"))  # a site_dir only when it holds a built site
            continue
        if name in _SPHINX:
            if not _SPHINX_SETTING.search(_text(read, config)) or not any(_inside(folder, i) in names for i in _SPHINX_INDEX):
                continue  # a conf.py that is not Sphinx's (a settings module), or no root document beside it
            site, builds = "Sphinx", ["_build"] + (["../build"] if folder.rsplit("/", 1)[-1] == "source" else [])
        elif name in _JUPYTER_BOOK:
            if not any(_inside(folder, c) in names for c in ("_config.yml", "_config.yaml")):
                continue
            site, builds = "Jupyter Book", ["_build"]
        else:
            output = _QUARTO_OUTPUT.search(_text(read, config))
            site, builds = "Quarto", [output.group(1)] if output and output.group(1).strip() else ["_site", "_book"]
        if not folder or any(_inside(folder, p) in names for p in _PACKAGE_ROOT_FILES):
            found.append((None, config, f"{site} source folder", site))
            continue
        found.append((folder, config, f"{site} source folder", site))
        for build in builds:
            tree = _join(folder, build)
            if tree is not None:
                found.append((tree, config, f"{site} built site", site))
    return found


def _inside(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _site_only(below: Sequence[str], site_trees: list[str]) -> bool:
    """A site's folder builds nothing else: no project files anywhere below it, and no Python
    module outside the site's own trees (a module is a project's code; lessons are notebooks)."""
    inside = tuple(t + "/" for t in site_trees if t)
    for rel in below:
        if project_folder(rel) is not None or (rel.endswith((".py", ".pyw")) and not ("" in site_trees or rel.startswith(inside))):
            return False
    return True


def find_documentation_code(files: Iterable[str], read: Callable[[str], bytes | None]) -> DocumentationCode:
    """The listed Python files and notebooks that belong to documentation trees (see the module
    text). `files`: the listing (sorted); `read(rel)`: a listed file's bytes within the per-file
    cap, or None."""
    listing = files if isinstance(files, list | tuple) else list(files)
    result = DocumentationCode()
    if not any(f in _CONFIG_NAMES or f.endswith(_CONFIG_SUFFIXES) for f in listing):
        return result
    names = set(listing)
    candidates = _candidate_trees(listing, names, read, result.notes)
    if not candidates:
        return result
    own_trees: dict[str, list[str]] = {}  # config -> its trees
    for tree, config, _, _ in candidates:
        own_trees.setdefault(config, []).extend([tree] if tree is not None else [])
    trees: dict[str, tuple[str, str]] = {}  # folder -> (config, why), the first reason kept
    for tree, config, why, site in candidates:
        if tree is not None:
            trees.setdefault(tree, (config, why))
        site_folder = parent(config)
        if _site_only(under(listing, site_folder), own_trees[config]):
            # The configuration's folder builds nothing but the site: its notebooks are lessons too.
            trees.setdefault(site_folder, (config, f"{site} site with no project files (whole folder)"))
        elif tree is None:
            result.notes.append(f"{config}: documents the project in its own folder (the repository or a package root); not taken as a documentation tree")
    left: dict[str, int] = {}
    for tree in sorted(trees, key=lambda t: (t.count("/") if t else -1, t)):  # outer trees first: each file counted once
        count = 0
        below = under(listing, tree)
        project_folders = {p for f in below if (p := project_folder(f)) is not None}  # folders of the tree that are projects of their own
        for rel in below:
            if rel.endswith(CODE_SUFFIXES) and rel not in result.left_out and parent(rel) not in project_folders:
                result.left_out.add(rel)
                count += 1
        if count:
            left[tree] = count
    result.trees = [DocsTree(tree, trees[tree][0], trees[tree][1], left[tree]) for tree in sorted(left)]
    result.notes = sorted(set(result.notes))
    return result


def summary_part(trees: int, code_files: int) -> str:
    """The console summary's part for documentation code ('' when none was left out)."""
    if not code_files:
        return ""
    return f"{code_files:,} Python files and notebooks of {trees:,} documentation site tree(s) (MkDocs, Sphinx, Jupyter Book, Quarto)"
