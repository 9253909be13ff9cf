"""The one jinja2 environment for our bundled HTML templates, and our static files inlined.

Autoescape is switched on for every template explicitly: `select_autoescape()` would leave
`*.html.j2` names unescaped. Undefined names are errors, not empty strings.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
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


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def content_security_policy(*, styles: Iterable[str] = (), scripts: Iterable[str] = (), html: str | None = None) -> str:
    """The policy of our self-contained pages: nothing may load; only our own <style> and <script>
    elements (by hash) run. With `html`, the style attributes our templates wrote are allowed by
    hash too ('unsafe-hashes' covers exactly those values, nothing else)."""
    style_sources = [csp_hash(s) for s in styles]
    if html is not None:
        attributes = sorted({m.group(1) for m in STYLE_ATTRIBUTE.finditer(html)})
        if attributes:
            style_sources += ["'unsafe-hashes'"] + [csp_hash(a) for a in attributes]
    script_sources = [csp_hash(s) for s in scripts]
    return (
        "default-src 'none'; "
        f"style-src {' '.join(style_sources) or chr(39) + 'none' + chr(39)}; "
        f"script-src {' '.join(script_sources) or chr(39) + 'none' + chr(39)}; "
        "img-src 'none'; connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
    )
