"""Templated YAML (Helm charts, Jinja, `envsubst`-style `.template` files) made parseable, never rendered.

A template's holes are unknown values: a line that is only template logic (`{{- if .Values.x }}`,
`{% for %}`, `{{ toYaml .Values.resources | nindent 8 }}`) is blanked, an inline hole
(`image: "{{ .Values.image }}"`, `replicas: {{ replicas }}`) becomes the placeholder string
`__helm__`, and template comments (`{# #}`, `{{/* */}}`) are blanked. Line breaks are kept, so
positions stay true lines of the file. Nothing is evaluated: the structure (kinds, images, routes,
weights written as numbers) is what a detector can use; values the template fills in are unknown.

What still does not parse is read tolerantly by `documents_one_by_one`: one document at a time,
and a line a parse error points at is blanked and the document tried again, a bounded number of
times (`MAX_REPAIRS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlops_audit.errors import InputError
from mlops_audit.util.safeyaml import LocatedDocument

PLACEHOLDER = "__helm__"
# `deploy.yaml.j2`, `values.yml.tpl`, `config.yaml.template`, `pipeline.yml.jinja2`
TEMPLATE_SUFFIXES = tuple(f"{yaml}{tpl}" for yaml in (".yaml", ".yml") for tpl in (".template", ".tmpl", ".tpl", ".j2", ".jinja", ".jinja2"))
MAX_REPAIRS = 16  # lines blanked per document before it is given up

_DOC_SPLIT = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)
_ERROR_LINE = re.compile(r":(\d+)(?::\d+)?: ")


def is_templated_yaml(rel: str) -> bool:
    """A YAML file written as a template by its name (`*.yaml.j2`, `*.yml.template`, ...)."""
    return rel.lower().endswith(TEMPLATE_SUFFIXES)


def is_helm_template(rel: str, text: str) -> bool:
    """A file of a Helm chart's `templates/` folder holding template actions."""
    return "{{" in text and f"/{rel}".rfind("/templates/") != -1


def _without_comments(text: str) -> str:
    """Template comments (`{# #}`, `{{/* */}}`, possibly over several lines) blanked, line breaks kept."""
    for opener, closer in (("{#", "#}"), ("{{/*", "*/}}"), ("{{- /*", "*/ -}}"), ("{{- /*", "*/}}")):
        parts: list[str] = []
        pos = 0
        while (start := text.find(opener, pos)) != -1:
            end = text.find(closer, start + len(opener))
            if end == -1:
                break  # unclosed: no later opener closes either
            parts += [text[pos:start], "\n" * text.count("\n", start, end)]
            pos = end + len(closer)
        text = "".join(parts) + text[pos:] if parts else text
    return text


def _line_as_yaml(line: str) -> str:
    """One line with its holes (`{{ }}`) replaced by PLACEHOLDER and statements (`{% %}`) removed;
    "" when the line is nothing but template logic. Linear: str.find only, never a regex that
    could backtrack over a hostile megabyte-long line."""
    parts: list[str] = []
    pos = 0
    logic_only = True
    while True:
        hole, statement = line.find("{{", pos), line.find("{%", pos)
        start = min(i for i in (hole, statement, len(line)) if i != -1)
        if start == len(line):
            break
        closer = "}}" if start == hole else "%}"
        end = line.find(closer, start + 2)
        if end == -1:
            break  # unclosed on this line: the rest is kept as written
        if line[pos:start].strip():
            logic_only = False
        parts += [line[pos:start], PLACEHOLDER if closer == "}}" else ""]
        pos = end + 2
    if not parts:
        return line
    if logic_only and not line[pos:].strip():
        return ""
    return "".join(parts) + line[pos:]


def template_as_yaml(text: str) -> str:
    """The template with its comments and logic-only lines blanked and its inline holes replaced by
    PLACEHOLDER; every line stays on its line."""
    text = _without_comments(text)
    return "\n".join(_line_as_yaml(line) if "{" in line else line for line in text.split("\n"))


def documents_one_by_one(
    text: str, source: str, load: Callable[[str, str], list[LocatedDocument]], repairs: int = MAX_REPAIRS
) -> tuple[list[LocatedDocument], list[str]]:
    """The documents of a YAML stream that parse, each loaded alone by `load` (which raises
    InputError naming `source:line`), a document repaired by blanking the line an error points at
    up to `repairs` times; and the problems of the documents left out."""
    docs: list[LocatedDocument] = []
    problems: list[str] = []
    starts = [0] + [m.end() for m in _DOC_SPLIT.finditer(text)]
    ends = [m.start() for m in _DOC_SPLIT.finditer(text)] + [len(text)]
    for start, end in zip(starts, ends, strict=True):
        if not text[start:end].strip():
            continue
        # Blank lines in front keep positions and error lines at their lines in the file.
        lines = ("\n" * text.count("\n", 0, start) + text[start:end]).split("\n")
        for attempt in range(repairs + 1):
            try:
                docs.extend(load("\n".join(lines), source))
                break
            except InputError as exc:
                found = _ERROR_LINE.search(exc.message[len(source):]) if exc.message.startswith(source) else None
                line = int(found.group(1)) - 1 if found else -1
                if attempt == repairs or not 0 <= line < len(lines) or not lines[line].strip():
                    problems.append(exc.message)
                    break
                lines[line] = ""
    return docs, problems
