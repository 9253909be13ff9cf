"""Python source written as a Jinja template (copier / cookiecutter project templates) made parseable,
never rendered.

Project templates keep their code as Jinja: a line that is only template logic (`{%- if tuning %}`,
`{% endif %}`, `# {% include 'header' %}`), inline holes in names and strings
(`def {{product_name}}_training(`), template comments (`{# ... #}`). Such a file is no valid Python,
so everything a detector could see in it was lost. Only when the interpreter (and the newer-syntax
pass) refuses a file that holds template markers: statement lines are blanked, inline statements
removed, holes become the identifier `__jinja__`, comments are blanked; line breaks are kept, so
positions stay the file's lines. Both branches of an `{% if %}` are kept (the template's options are
all the project's code); if that does not parse, only the first branch of each is. Nothing is
evaluated: a value the template fills in is unknown.
"""

from __future__ import annotations

import ast
import re

PLACEHOLDER = "__jinja__"
_MARKERS = ("{%", "{{", "{#")
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_STATEMENT = re.compile(r"\{%-?\s*(\w+).*?-?%\}")
_EXPRESSION = re.compile(r"\{\{-?.*?-?\}\}")
_OPENS = frozenset({"if", "for", "macro", "block", "with", "filter", "call", "raw"})
_BRANCHES = frozenset({"elif", "else"})


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def _untemplate(code: str, first_branch_only: bool) -> str:
    lines = _COMMENT.sub(_blank, code).split("\n")
    depth_skipping: list[bool] = []  # per open `{% if %}`: whether its current branch is left out
    out = []
    for line in lines:
        statements = list(_STATEMENT.finditer(line))
        rest = _STATEMENT.sub("", line)
        for st in statements:
            word = st.group(1)
            if word in _OPENS:
                depth_skipping.append(False)
            elif word in _BRANCHES and depth_skipping:
                depth_skipping[-1] = first_branch_only
            elif word.startswith("end") and depth_skipping:
                depth_skipping.pop()
        skipping = any(depth_skipping) and not statements
        if skipping or (statements and not rest.strip()) or (statements and rest.strip() == "#"):
            out.append("")
        else:
            out.append(_EXPRESSION.sub(PLACEHOLDER, rest))
    return "\n".join(out)


def parse_template(code: str, filename: str) -> ast.Module | None:
    """The module of a Jinja-templated Python file, read as described above; None when the code
    holds no template markers or still does not parse."""
    if not any(marker in code for marker in _MARKERS):
        return None
    for first_branch_only in (False, True):
        try:
            return ast.parse(_untemplate(code, first_branch_only), filename=filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None
