"""Session 13's speed cuts (issue #12's collect-time allowance): each skips work whose answer is
already known, so what collect reports is unchanged. Each test states the skip and that the answer
is the same as without it."""

from __future__ import annotations

import json
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.repo import casewords
from mlops_audit.evidence.repo.detectors import _batchscoring, deployment
from mlops_audit.evidence.repo.needles import _JSON_ESCAPE, _JSON_STRING_JOINS, NOTEBOOK_HEAD, NeedleFilter, notebook_may_mention

# --- a big notebook is first looked at by its first bytes ---------------------------------------------


def _whole_notebook_answer(data: bytes, prefilter: NeedleFilter) -> bool:
    """`notebook_may_mention` as it was before the quick look: both readings of the whole JSON."""
    escaped = _JSON_ESCAPE.sub(b" ", data)
    return prefilter.may_mention(escaped) or prefilter.may_mention(_JSON_STRING_JOINS.sub(b"", escaped))


# What may straddle the cut: escapes (`\u` with hex letters and digits, `\n`, a doubled backslash, a
# lone one), key words glued to others, separators.
STRADDLING = [
    b"\\ua1bc", b"\\uabcd", b"\\u00fa", b"mlflowextra", b"ab\\ncd", b"\\\\fit", b"x\\nfit", b'mlflow", "ab', b"fit\\u0041b", b"a1b2c",
]
NEEDLE_SETS = [("fit",), ("mlflow",), ("a",), ("b",), ("ab",), ("cd",), ("u",), ("ncd",), ("nfit",), ("extra",), ("abcd",)]


def test_the_first_look_at_a_big_notebook_gives_the_whole_notebooks_answer() -> None:
    """Whatever straddles the cut, at every offset (an escape cut in two, a word cut in two), the
    answer is the one both readings of the whole JSON give."""
    for piece in STRADDLING:
        for offset in range(len(piece) + 12):
            start = b'{"cells": [{"source": "'
            notebook = start + b"." * (NOTEBOOK_HEAD - offset - len(start)) + piece + b' "}]}' + b"." * NOTEBOOK_HEAD
            for needles in NEEDLE_SETS:
                prefilter = NeedleFilter.of(needles)
                assert notebook_may_mention(notebook, prefilter) == _whole_notebook_answer(notebook, prefilter), (piece, offset, needles)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(STRADDLING + [b" ", b"1", b"fit", b"\\"]), max_size=10), st.integers(0, 40), st.sampled_from(NEEDLE_SETS))
def test_any_bytes_around_the_cut_give_the_whole_notebooks_answer(pieces: list[bytes], offset: int, needles: tuple[str, ...]) -> None:
    middle = b"".join(pieces)
    notebook = b"." * max(0, NOTEBOOK_HEAD - offset) + middle + b"." * NOTEBOOK_HEAD
    prefilter = NeedleFilter.of(needles)
    assert notebook_may_mention(notebook, prefilter) == _whole_notebook_answer(notebook, prefilter)


def test_a_needle_met_only_after_the_first_bytes_is_still_found() -> None:
    prefilter = NeedleFilter.of(["mlflow"])
    late = json.dumps({"cells": [{"source": ["x = 1\n"] * 20_000 + ["import mlflow\n"]}]}).encode()
    assert len(late) > 2 * NOTEBOOK_HEAD and notebook_may_mention(late, prefilter)
    empty = json.dumps({"cells": [{"source": ["x = 1\n"] * 20_000}]}).encode()
    assert not notebook_may_mention(empty, prefilter)


# --- case-blind searches first settled by substring tests (`casewords`) ----------------------------------

# Each pattern with the words its matches hold, and pieces to build texts from: the words in other
# cases, near misses, and the characters that match an ASCII letter only when case is ignored.
GUARDED = {
    "routed traffic": (deployment._ROUTED, deployment._ROUTED_WORDS, ["Canary", "ENDPOINT", "variant", "Model_Version", "traffic", "champion", "Shadow"]),
    "demo folders": (_batchscoring.DEMO_FOLDER, _batchscoring.DEMO_WORDS, ["Demos/", "examples/", "SAMPLE/", "tutorials/", "Playground/", "sandbox/", "scratch/"]),
}
FILLERS = ["\u0130", "\u0131", "\u017f", "\u212a", "\u00e9", " ", "\n", "-", "/", "1", "e", "x", "r", "c", "i", "s", "k", "z", "u", "q", "#"]


@pytest.mark.parametrize("name", sorted(GUARDED))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_text_a_guarded_pattern_finds_passes_its_word_test(name: str, data: st.DataObject) -> None:
    pattern, words, pieces = GUARDED[name]
    text = "".join(data.draw(st.lists(st.sampled_from(pieces + FILLERS), max_size=12)))
    if pattern.search(text):
        assert casewords.may_hold(text, words)


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_the_words_are_the_patterns_own(name: str) -> None:
    """Each piece the pattern finds passes, and a text without the words is settled without the search."""
    pattern, words, pieces = GUARDED[name]
    for piece in pieces:
        if pattern.search(piece):
            assert casewords.may_hold(piece, words)
            assert casewords.may_hold(piece.replace("i", "\u0130").replace("s", "\u017f"), words)  # the search decides then
    assert not casewords.may_hold("src/service/app.py: loads the model and answers requests", words)


def test_the_four_characters_are_all_that_match_an_ascii_letter_only_when_case_is_ignored() -> None:
    beyond_ascii = "".join(map(chr, range(0x80, sys.maxunicode + 1)))
    matched = set(re.findall(r"[a-z]", beyond_ascii, re.IGNORECASE))
    lowered = {c for c in beyond_ascii if c.lower() != c and re.search(r"[a-z]", c.lower())}
    assert matched | lowered == set(casewords.FOLDS_TO_ASCII)
