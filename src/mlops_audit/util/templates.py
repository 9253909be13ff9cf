"""The one jinja2 environment for our bundled HTML templates, and our static files inlined.

Autoescape is switched on for every template explicitly: `select_autoescape()` would leave
`*.html.j2` names unescaped. Undefined names are errors, not empty strings.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from mlops_audit import paths


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(paths.reports_dir() / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def inline_static(name: str) -> Markup:
    """A file of reports/static/ to put inside a <style> or <script> element of a page."""
    text = (paths.reports_dir() / "static" / name).read_text(encoding="utf-8")
    if "</" in text:  # our own file; guard anyway so it can never close its element
        raise ValueError(f"reports/static/{name} must not contain '</'")
    return Markup(text)
