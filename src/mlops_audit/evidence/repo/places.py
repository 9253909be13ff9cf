"""Where teams keep things outside the default places: pure functions over paths and parsed data.

- Dockerfiles with prefixes and suffixes (`BaseDockerfile`, `Dockerfile.gpu`, `train.dockerfile`).
- CI definitions kept in folders (`azure-pipelines/`, `.pipelines/`, `ci/`) and files a CI file
  references (`include:` in GitLab CI, `- template:` / `extends: template:` in Azure Pipelines,
  local `uses: ./...` in GitHub Actions).
- Documentation: headings of Markdown, reStructuredText and AsciiDoc files, and the pages and
  titles of a MkDocs site's `nav`.

`RepoIndex` exposes them as queries (`dockerfiles`, `ci_folder_files`, `ci_included_files`,
`doc_headings`, `mkdocs_pages`); nothing here reads a file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

# Folders whose YAML files are CI definitions: Azure DevOps points a pipeline at any YAML path, and
# these are the folders teams keep them in.
CI_FOLDERS = ("azure-pipelines", ".azure-pipelines", ".azuredevops", ".pipelines", "ci", ".ci", ".gitlab/ci")
MAX_INCLUDED_FILES = 256  # referenced CI files followed from all roots together

_DOCKERFILE = re.compile(r"[^/]*(?:dockerfile|containerfile)(?:[._-][^/]*)?", re.IGNORECASE)
# Names holding "dockerfile" that are code, docs or data about Dockerfiles, not Dockerfiles.
_NOT_DOCKERFILE = (".py", ".md", ".rst", ".txt", ".json", ".yaml", ".yml", ".toml", ".sh", ".ps1", ".go", ".js", ".ts", ".html", ".lock", ".ignore")


def is_dockerfile(name: str) -> bool:
    """A Dockerfile or Containerfile by its name: `Dockerfile`, `Dockerfile.gpu`, `Dockerfile-dev`,
    `BaseDockerfile`, `serve.dockerfile`, `gpu.Containerfile` (any case); not `dockerfile_utils.py`."""
    lowered = name.lower()
    return ("dockerfile" in lowered or "containerfile" in lowered) and not lowered.endswith(_NOT_DOCKERFILE) and bool(_DOCKERFILE.fullmatch(name))


def in_ci_folder(rel: str) -> bool:
    return any(rel.startswith(folder + "/") for folder in CI_FOLDERS)


# CI references -------------------------------------------------------------------------------------
def _reference_strings(data: Any) -> Iterator[str]:
    """Local file references in a parsed CI document: GitLab `include` (a path, `local:`/`file:`
    entries, lists of either), Azure `template:` anywhere (steps, jobs, stages, `extends`), GitHub
    Actions `uses: ./path`. Depth-first in document order."""
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if key == "include":
                for entry in item if isinstance(item, list) else [item]:
                    if isinstance(entry, str):
                        yield entry
                    elif isinstance(entry, dict):
                        for field in ("local", "file"):
                            files = entry.get(field)
                            for name in files if isinstance(files, list) else [files]:
                                if isinstance(name, str) and ("project" not in entry or field == "local"):
                                    yield name
            elif key == "template" and isinstance(item, str):
                yield item
            elif key == "uses" and isinstance(item, str) and item.startswith("./"):
                yield item
        stack.extend(reversed([v for v in value.values() if isinstance(v, (dict, list))]))


def referenced_paths(data: Any, including: str) -> list[str]:
    """Repository-relative candidates for each local reference in a CI document of file
    `including`: root-relative first (GitLab, GitHub), then relative to the including file's
    folder (Azure). Remote references (`x.yml@other-repo`, URLs, `$VARIABLES`) are left out."""
    folder = posixpath.dirname(including)
    out: list[str] = []
    for ref in _reference_strings(data):
        ref = ref.strip()
        if not ref or "://" in ref or "@" in ref or "$" in ref or "{{" in ref:
            continue
        candidates = [ref.lstrip("/")] if ref.startswith("/") else [ref, posixpath.join(folder, ref)]
        for candidate in candidates:
            normal = posixpath.normpath(candidate)
            if normal.startswith("../") or normal == ".." or normal == ".":
                continue
            out.append(normal)
            if ref.startswith("./"):  # a GitHub Actions local action is a folder holding action.yml
                out += [posixpath.join(normal, "action.yml"), posixpath.join(normal, "action.yaml")]
    return out


# Documentation --------------------------------------------------------------------------------------
_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_ADOC = re.compile(r"^(={1,6})[ \t]+(.+?)[ \t]*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'#*+:.<>_])\1{2,}[ \t]*$")
DOC_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".txt")


def headings(text: str, *, limit: int = 2000) -> list[tuple[int, int, str]]:
    """(line, level, title) of the headings of a Markdown, reStructuredText or AsciiDoc text, in
    order: `# Title` (ATX, level = number of #), `= Title` (AsciiDoc, level = number of =), and a
    title line underlined with one repeated punctuation character (Setext and reStructuredText;
    as in reStructuredText, each underline character gets the next level the first time it is
    seen, so Markdown's `===` then `---` are levels 1 and 2). Fenced code is skipped."""
    found: list[tuple[int, int, str]] = []
    underline_levels: dict[str, int] = {}
    lines = text.splitlines()
    fenced = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if number > 1 and lines[number - 2].strip() and _UNDERLINE.match(line):
            continue  # the underline of the line above (`~~~` there is not a fence)
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not stripped:
            continue
        match = _ATX.match(line) or _ADOC.match(line)
        if match:
            found.append((number, len(match.group(1)), match.group(2)))
        elif number < len(lines) and not _UNDERLINE.match(line) and (under := _UNDERLINE.match(lines[number])) and len(lines[number].rstrip()) >= len(stripped):
            level = underline_levels.setdefault(under.group(1), len(underline_levels) + 1)
            found.append((number, level, stripped))
        if len(found) >= limit:
            break
    return found


def mkdocs_nav(data: Any) -> list[tuple[str, str]]:
    """(title, page path relative to the docs folder) of every page in a parsed mkdocs.yml `nav`,
    in order. A page's title joins its sections' titles (`Design / Architecture`); a page listed
    without a title gets its section's title, or its file name."""
    nav = data.get("nav") if isinstance(data, dict) else None
    out: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", nav)]
    while stack:
        title, value = stack.pop()
        if isinstance(value, str):
            if "://" not in value and value.lower().endswith((".md", ".markdown", ".rst", ".ipynb")):
                out.append((title or posixpath.basename(value), posixpath.normpath(value.lstrip("/"))))
        elif isinstance(value, list):
            stack.extend((title, v) for v in reversed(value))
        elif isinstance(value, dict):
            stack.extend((f"{title} / {k}" if title else str(k), v) for k, v in reversed(list(value.items())))
    return out


def mkdocs_docs_dir(data: Any) -> str:
    value = data.get("docs_dir", "docs") if isinstance(data, dict) else "docs"
    return posixpath.normpath(value) if isinstance(value, str) and value.strip() else "docs"
