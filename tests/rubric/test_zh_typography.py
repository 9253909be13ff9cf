"""Chinese typography of every zh string (issue 19): Chinese text uses full-width punctuation.

The rule, as checked here (and as the rubric data was converted):
- `，；：？！` not `, ; : ? !` wherever the mark touches Chinese: the character right before it, or
  the next character after any spaces, is a CJK character or full-width punctuation;
- `（…）` not `(…)` wherever the parenthetical holds Chinese or the bracket touches Chinese on the
  outside (so `体系（MLOps）`, `（如 Airflow、Kubeflow）`);
- `“…”` not `"…"` around Chinese;
- no ASCII space beside a full-width mark (the mark carries its own spacing).
ASCII marks stay inside ASCII runs, where neither neighbour is Chinese: code such as `f(x)`,
identifiers such as `PA.1.step1`, numbers such as `0.1/0.25` or `10:30`, URLs, and English terms
listed with ASCII commas (`Airflow, Kubeflow`). The check runs over the bundled rubric, every
other rubric shipped under rubrics/, and the clause catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_audit import paths
from mlops_audit.rubric.loader import RUBRIC_FILE, load_catalogue, load_rubric
from tests.rubric.helpers import rubric_texts

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u201c\u201d]")
MARK = re.compile(r"[,;:?!]")
PAREN = re.compile(r"\(([^()]*)\)")
QUOTED = re.compile(r'"([^"]*)"')
SPACED = re.compile(r" [（），；：？！]|[（，；：？！] ")


def _chinese(ch: str) -> bool:
    return bool(ch) and bool(CHINESE.fullmatch(ch))


def typography_problems(text: str) -> list[str]:
    """What in one zh string breaks the rule above, each with a little context."""
    found = []

    def around(start: int, end: int) -> str:
        return text[max(0, start - 8) : end + 8]

    for m in MARK.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end() :].lstrip(" ")[:1]
        if _chinese(before) or _chinese(after):
            found.append(f"half-width {m.group()!r} in {around(m.start(), m.end())!r}")
    for m in PAREN.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if CHINESE.search(m.group(1)) or _chinese(before) or _chinese(after):
            found.append(f"half-width brackets in {around(m.start(), m.end())!r}")
    for m in QUOTED.finditer(text):
        if CHINESE.search(m.group(1)):
            found.append(f"ASCII quotes in {around(m.start(), m.end())!r}")
    for m in SPACED.finditer(text):
        found.append(f"space beside a full-width mark in {around(m.start(), m.end())!r}")
    return found


def _shipped() -> list[Path]:
    return sorted(p.parent for p in paths.rubrics_dir().rglob(RUBRIC_FILE))


@pytest.mark.parametrize(
    "text, problems",
    [
        ("体系(MLOps)成熟度", 1),
        ("过程随意,资产部分留存", 1),
        ("是否重新训练过?", 1),
        ("各级准则沿四个维度编写: 过程标准化", 1),
        ('可答"是"。', 1),
        ("模型 （如 A）", 1),
        ("体系（MLOps）成熟度，资产：留存？", 0),
        ("调用 f(x) 函数", 0),
        ("如 Airflow, Kubeflow 等", 0),
        ("阈值 0.1/0.25，时间 10:30", 0),
    ],
)
def test_the_rule_catches_half_width_marks_next_to_chinese_and_spares_ascii_runs(text: str, problems: int) -> None:
    assert len(typography_problems(text)) == problems, typography_problems(text)


@pytest.mark.parametrize("folder", _shipped(), ids=lambda p: p.name)
def test_every_zh_string_of_every_shipped_rubric_uses_full_width_punctuation(folder: Path) -> None:
    texts = rubric_texts(load_rubric(folder).rubric, "rubric")
    assert len(texts) > 100
    bad = [f"{where}: {problem}" for where, text in texts for problem in typography_problems(text.zh)]
    assert bad == []


def test_every_zh_string_of_the_clause_catalogue_uses_full_width_punctuation() -> None:
    texts = rubric_texts(load_catalogue(), "clauses")
    assert texts
    bad = [f"{where}: {problem}" for where, text in texts for problem in typography_problems(text.zh)]
    assert bad == []
