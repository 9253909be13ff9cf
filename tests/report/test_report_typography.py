"""Chinese typography: every Chinese string we own uses full-width punctuation (，；：（）？！“”).

Owned strings: the report's zh message catalogue, the literal text of the report templates (their
punctuation comes from the catalogues: colon, lp/rp, list_sep), and the Chinese literals of the
questionnaire code and page. Rubric texts are checked by the rubric's own tests.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from mlops_audit import paths
from mlops_audit.report.i18n import _flatten, messages

ROOT = Path(__file__).resolve().parents[2]
HALF_WIDTH = re.compile(r'[,;:()?!"]')
CJK = re.compile(r"[\u3400-\u9fff]")
QUESTIONNAIRE = ROOT / "src" / "mlops_audit" / "evidence" / "questionnaire"
# Strings that are syntax, not prose: answer tokens and field labels the readers parse.
PARSED = {"validate.py", "raw.py", "form.py", "importer.py"}


def zh_catalogue() -> dict[str, str]:
    path = paths.reports_dir() / "i18n" / "zh.yaml"
    return _flatten(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_the_zh_catalogue_has_no_half_width_punctuation():
    bad = {k: v for k, v in zh_catalogue().items() if HALF_WIDTH.search(v)}
    assert bad == {}


def test_the_zh_catalogue_punctuation_keys_are_full_width_and_en_ones_ascii():
    zh, en = messages("zh"), messages("en")
    assert (zh("colon"), zh("lp"), zh("rp"), zh("list_sep")) == ("：", "（", "）", "、")
    assert (en("colon"), en("lp"), en("rp"), en("list_sep")) == (": ", " (", ")", ", ")


def _template_text(path: Path) -> str:
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "\x00", text, flags=re.S)
    return re.sub(r"<[^>]*>", "\x00", text, flags=re.S)


# The report's templates; the server's pages (templates/server/, translator `tr`) are another surface.
REPORT_TEMPLATES = sorted(
    p.name for p in (paths.reports_dir() / "templates").rglob("*.html.j2")
    if p.name != "questionnaire.html.j2" and "server" not in p.relative_to(paths.reports_dir() / "templates").parts
)


@pytest.mark.parametrize("template", REPORT_TEMPLATES)
def test_report_templates_print_no_punctuation_of_their_own(template):
    path = next((paths.reports_dir() / "templates").rglob(template))
    found = [m.group() for m in re.finditer(r"[,;:()?!]", _template_text(path))]
    assert found == [], f"{template}: use t('colon'), t('lp'), t('rp') or t('list_sep')"


def _zh_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings and CJK.search(node.value)
    ]


@pytest.mark.parametrize("module", sorted(p.name for p in QUESTIONNAIRE.glob("*.py") if p.name not in PARSED))
def test_questionnaire_chinese_literals_use_full_width_punctuation(module):
    bad = [(line, text) for line, text in _zh_literals(QUESTIONNAIRE / module) if HALF_WIDTH.search(text)]
    assert bad == []


def test_questionnaire_page_and_script_chinese_text_is_full_width():
    for path in (paths.reports_dir() / "templates" / "questionnaire.html.j2", paths.reports_dir() / "static" / "questionnaire.js"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not re.search(r"[\u3400-\u9fff]\s*[,;:()?!]|[,;:()?!]\s*[\u3400-\u9fff]", line), f"{path.name}:{number}"


def test_rendered_zh_report_keeps_our_punctuation_full_width(rich_html):
    """Around the catalogue's words in the rendered page: no half-width mark next to Chinese text
    coming from a template (rubric and respondent texts aside, which are data)."""
    html = rich_html["zh"]
    for word in ("总体等级：", "评估人", "请先阅读"):
        assert word in html
    assert "总体等级:" not in html and "严重:" not in html
