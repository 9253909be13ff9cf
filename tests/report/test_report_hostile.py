"""Hostile content from scanned repositories and respondents comes out as inert text.

The rich assessment plants `<script>`, `<img src=file:///etc/passwd>`, CSS `url(http://...)` and
`javascript:` links in evidence excerpts, file names (locators, answer-file and run names),
respondent comments, a waiver justification and the organisation's name.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import report_builders as builders
from mlops_audit.report.charts import BarGroup, Bar, grouped_bars, radar

LANGS = ("zh", "en")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.style_text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style_text.append(data)


def parse(html: str) -> _Refs:
    refs = _Refs()
    refs.feed(html)
    return refs


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_strings_are_escaped_not_interpreted(rich_html, lang):
    html = rich_html[lang]
    for raw in (builders.SCRIPT, builders.IMG, builders.JS_LINK):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown to the reader as text
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    refs = parse(html)
    assert "script" not in refs.tags and "img" not in refs.tags and "link" not in refs.tags
    assert "iframe" not in refs.tags and "object" not in refs.tags


@pytest.mark.parametrize("lang", LANGS)
def test_html_has_no_external_references(rich_html, lang):
    refs = parse(rich_html[lang])
    for tag, name, value in refs.attrs:
        if name in ("src", "href", "srcset", "action", "formaction", "poster", "data"):
            assert value.startswith("#"), f"<{tag} {name}={value!r}> points outside the document"
        if name == "style":
            assert "url(" not in value and "expression(" not in value
        assert not name.startswith("on"), f"<{tag} {name}> is an event handler"
        assert "javascript:" not in value.lower()
    css = "".join(refs.style_text)
    assert css and "url(" not in css and "@import" not in css
    # the only URL-like attribute values are the SVG namespace declarations
    assert {v for _, n, v in refs.attrs if n == "xmlns"} <= {"http://www.w3.org/2000/svg"}


def test_charts_escape_their_labels():
    svg = radar([(builders.SCRIPT, 1), ("b", 2), ("c", 3)], title=builders.IMG)
    bars = grouped_bars([BarGroup(builders.SCRIPT, [Bar(builders.JS_LINK, 50.0, 1)])], title="t", empty_label="-")
    for markup in (svg, bars):
        assert "<script" not in markup and "<img" not in markup and "<a " not in markup
    assert "&lt;script&gt;" in svg or "&lt;script" in svg


def test_sparse_html_has_no_external_references_either(sparse_html):
    for html in sparse_html.values():
        for tag, name, value in parse(html).attrs:
            if name in ("src", "href"):
                assert value.startswith("#")


def test_the_html_report_carries_the_questionnaire_pages_content_security_policy(rich_html):
    """Nothing may load and no script may run; only our stylesheet and our own style attributes
    apply, by hash (the same policy builder as the questionnaire page)."""
    import base64
    import hashlib
    import html as htmllib

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    for page in rich_html.values():
        [policy] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
        policy = htmllib.unescape(policy)
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'none'" and directives["script-src"] == "'none'"
        assert directives["img-src"] == directives["connect-src"] == directives["font-src"] == "'none'"
        [style] = re.findall(r"<style>(.*?)</style>", page, re.S)
        allowed = set(directives["style-src"].split())
        assert digest(style) in allowed
        attributes = set(re.findall(r'\sstyle="([^"]*)"', page))
        assert attributes and "'unsafe-hashes'" in allowed
        assert {digest(a) for a in attributes} | {digest(style), "'unsafe-hashes'"} == allowed
        assert "<script" not in page
