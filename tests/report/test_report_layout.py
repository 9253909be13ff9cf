"""Layout: no two words of the rendered PDF sit on top of each other.

Renders the report of the bundled rubric (its longest practice, domain, role and pipeline-part
labels, in both languages) and reads every word's box with `pdftotext -bbox`. Two boxes on one
page that share more than half a line's height and overlap horizontally are text printed over
text: a long label running into the next column, a chart label on another. Consecutive lines of
one paragraph touch only by their font's ascent/descent, well under half a line.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mlops_audit.report import render_reports

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="LOUD SKIP: pdftotext (poppler-utils) not installed; layout unchecked"),
]
TOLERANCE = 0.6  # points: glyph boxes of neighbouring words may touch
Box = tuple[float, float, float, float, str]


def word_boxes(pdf: Path) -> list[list[Box]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", out, re.S):
        pages.append(
            [
                (float(a), float(b), float(c), float(d), html.unescape(w))
                for a, b, c, d, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
            ]
        )
    return pages


def overlapping(words: list[Box]) -> list[tuple[Box, Box]]:
    found = []
    ordered = sorted(words, key=lambda w: w[1])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b[1] >= a[3] - TOLERANCE:
                break
            shared = min(a[3], b[3]) - max(a[1], b[1])
            if a[0] < b[2] - TOLERANCE and b[0] < a[2] - TOLERANCE and shared >= 0.5 * min(a[3] - a[1], b[3] - b[1]):
                found.append((a, b))
    return found


def test_the_detector_finds_text_printed_over_text():
    line = [(10.0, 100.0, 60.0, 112.0, "development"), (50.0, 100.0, 70.0, 112.0, "L2")]
    assert overlapping(line) == [(line[0], line[1])]
    next_line = [(10.0, 100.0, 60.0, 112.0, "first"), (10.0, 110.5, 60.0, 122.5, "second")]  # ascent/descent only
    assert overlapping(next_line) == []
    apart = [(10.0, 100.0, 60.0, 112.0, "a"), (60.2, 100.0, 90.0, 112.0, "b")]
    assert overlapping(apart) == []


@pytest.fixture(scope="module")
def longest_labels(tmp_path_factory, full_rubric, rich, previous):
    """The bundled rubric's report (all its labels), with a long organisation name, in zh and en."""
    assert len(full_rubric.rubric.criteria()) > 100, "the bundled rubric did not load: the longest labels are not under test"
    org = rich.organisation.model_copy(update={"name": "Example City Commercial Bank Retail Credit Artificial Intelligence Team 示例城市商业银行零售信贷人工智能团队"})
    a = rich.model_copy(update={"organisation": org})
    out = tmp_path_factory.mktemp("layout")
    written = render_reports(a, formats=["pdf"], lang="both", out_dir=out, previous=previous.model_copy(update={"organisation": org}))
    return {p.name.split(".")[1]: p for p in written}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_two_words_overlap_in_the_report(longest_labels, lang):
    problems = []
    for number, words in enumerate(word_boxes(longest_labels[lang]), start=1):
        assert words or number > 1, "pdftotext read no words"
        problems += [f"page {number}: {a[4]!r} over {b[4]!r} at ({a[0]:.0f}, {a[1]:.0f})" for a, b in overlapping(words)]
    assert problems == []
