"""Session 16's speed cuts (issue #12's collect-time allowance): rules' text tests answer what they
answered before, with less work. Each test holds the former formulation as the specification and
checks that the new one gives the same answer on texts built from the pieces that decide it (the
words in every case, near misses, line breaks, the characters that match an ASCII letter only when
case is ignored), so what collect reports cannot change."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.repo import casewords
from mlops_audit.evidence.repo.detectors import _duties, _setaside, data, experiments, governance
from mlops_audit.evidence.repo.detectors._stops import STOP_WORDS

FOLDING = list(casewords.FOLDS_TO_ASCII)
FILLERS = [" ", "\n", "\t", "_", "x", "1", "(", ".", "=", "-", "\u00e9", *FOLDING]


def _texts(pieces: list[str], max_size: int = 16) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces + FILLERS), max_size=max_size).map("".join)


# --- records rejected: appends to lists named for problems counted at each `.append(` ------------------


def _reject_records_before(text: str) -> bool:
    """`_setaside.may_reject_records` as it was: a case-blind search of the whole text."""
    if text.count("continue") < 2 or ".append(" not in text:
        return False
    return sum(1 for _ in _setaside._PROBLEM_APPEND.finditer(text)) >= 2


REJECT_PIECES = [
    "continue", "continue\n", ".append(", "errors.append(", "Issues.append(", "REJECTED_rows.append(", "invalid", "Problem",
    "failures", "violation", "skipped", "kept.append(", "row.", "append(", "a" * 31, "error" + "x" * 30, "\u017fkipped", "vIolation",
]


@settings(max_examples=600, deadline=None)
@given(text=_texts(REJECT_PIECES, max_size=20))
def test_rejected_records_text_test_counts_what_the_whole_text_search_counted(text: str) -> None:
    assert _setaside.may_reject_records(text) == _reject_records_before(text)


def test_rejected_records_text_test_cases() -> None:
    both = "continue\ncontinue\nerrors.append(1)\nissues.append(2)\n"
    assert _setaside.may_reject_records(both)
    assert not _setaside.may_reject_records("continue\ncontinue\nerrors.append(1)\nkept.append(2)\n")
    # A word more than 30 word characters before its `.append(` is no match, nor one across a dot.
    assert not _setaside.may_reject_records("continue continue error" + "x" * 31 + ".append( issues.append(")
    assert _setaside.may_reject_records("continue continue error" + "x" * 30 + ".append( issues.append(")
    assert not _setaside.may_reject_records("continue continue errors.x.append( issues.append(")
    # Two appends glued together are two matches, as the whole-text search found.
    assert _setaside.may_reject_records("continue continue errors.append(issues.append(")


# --- data checks: lines found with str.find, not split ------------------------------------------------


def _asserted_before(lines: list[str]) -> bool:
    for line in lines:
        at = line.find("assert ")
        if at != -1 and data._TESTED_RE.search(line, at + 7):
            return True
    return False


def _raised_before(lines: list[str]) -> bool:
    for number, line in enumerate(lines):
        at = line.find("if ")
        if at != -1 and data._TESTED_RE.search(line, at + 3) and any(data._RAISE_LINE.match(after) for after in lines[number + 1 : number + 5]):
            return True
    return False


def _assigned_before(lines: list[str]) -> bool:
    for line in lines:
        at = line.find("= ")
        if at > 0 and line[at - 1] not in "=!<>" and data._DERIVED_TESTED.search(line, at + 2):
            return True
    return False


def _check_data_before(text: str) -> bool:
    """`data._may_check_data` as it was: the text split into lines, each line searched."""
    lines: list[str] | None = None
    if "assert " in text:
        lines = text.split("\n")
        if _asserted_before(lines):
            return True
    acts = "if " in text and any(w in text for w in STOP_WORDS)
    if acts:
        lines = lines if lines is not None else text.split("\n")
        if _raised_before(lines):
            return True
    if acts or "assert " in text:
        if _assigned_before(lines if lines is not None else text.split("\n")):
            return True
    return bool("def " in text and data._CHECK_DEF.search(text))


CHECK_PIECES = [
    "assert ", "if ", "elif ", "= ", "== ", "!= ", "x = ", "raise", "raise ValueError", "  raise\n", "exit(", "sys.exit(", "os._exit(",
    "isna(", "isnull", ".dtype", ".dtypes", ".dtypesx", ".min(", ".max(", ".all(", "between(", "duplicated", "is_unique", "isin(",
    "def check_", "def _validate", "def run", "\n\n\n",
]


@settings(max_examples=800, deadline=None)
@given(text=_texts(CHECK_PIECES, max_size=24))
def test_data_check_text_test_answers_what_the_line_split_answered(text: str) -> None:
    assert data._may_check_data(text) == _check_data_before(text)


def test_data_check_text_test_lines() -> None:
    assert data._may_check_data("    assert not df['age'].isna().any()\n")
    assert data._may_check_data("if df.isnull().any():\n    log()\n    raise ValueError('missing')")  # the last line has no newline
    assert not data._may_check_data("if df.isnull().any():\n a()\n b()\n c()\n d()\n raise ValueError('late')\n")
    # The first `= ` of a line decides it, as `line.find` did: a comparison first settles the line.
    assert not data._may_check_data("assert x\nif a == b and c = df.isna(): pass\n")
    assert data._may_check_data("assert x\nmissing = df.isna().sum()\n")
    # The line ends a search: `.dtypes` at a line's end is a whole word there.
    assert data._may_check_data("assert df.dtypes\n== 1")
    assert not data._may_check_data("assert df.dtypesx\n")


def _check_schema_before(text: str) -> bool:
    return "BaseModel" in text or re.search("schema", text, re.IGNORECASE) is not None or not text.isascii()


@settings(max_examples=400, deadline=None)
@given(text=_texts(["schema", "SCHEMA", "Schema", "sche", "ma", "BaseModel", "basemodel", "\u017fchema"]))
def test_schema_text_test_answers_what_the_case_blind_search_answered(text: str) -> None:
    assert data._may_check_schema(text) == _check_schema_before(text)


# --- case-blind searches of whole texts made in the lowercased text (`casewords.CaseBlind`) ------------

CASE_BLIND = {
    "delivery steps": (_duties._DELIVERS, _duties._DELIVERS_TEXT, [
        "docker push", "Docker Image Push", "DOCKER", "docker buildx build --push", "--PUSH", "kubectl apply", "Helm Upgrade", "az webapp ",
        "AZ ML ", "aws ecs ", "AWS", "terraform init", "make deploy", "deploy-prod.sh", "Deploy_x.PY", "heroku", "HEROKUx", "uv publish",
        "sam deploy", "Fly deploy", "flyctl", "gcloud run", "GCLOUD beta ai"]),
    "sweep words": (experiments._SWEEP_WORDS, experiments._SWEEP_TEXT, [
        "hyperparam", "Hyper-Param", "HPARAM", "sweep", "random search", "Grid_Search", "search-space", "params sweep", "Parameter Experiments"]),
    "lesson headings": (governance._LESSON_HEADING, governance._LESSON_TEXT, [
        "Exercise", "EXERCISES", "hands-on", "Hands On", "learning objectives", "Key Takeaways", "QUIZ", "Lab 3", "MODULE 2", "what you'll learn"]),
}


@pytest.mark.parametrize("name", sorted(CASE_BLIND))
@settings(max_examples=400, deadline=None)
@given(data_=st.data())
def test_a_case_blind_search_in_the_lowercased_text_finds_what_the_search_found(name: str, data_: st.DataObject) -> None:
    pattern, blind, pieces = CASE_BLIND[name]
    text = data_.draw(_texts(pieces + [p.upper() for p in pieces], max_size=10))
    assert blind.search(text) == (pattern.search(text) is not None)


def test_best_word_is_the_case_blind_search_it_was() -> None:
    before = re.compile(r"best|\b(?:max|min|argmax|argmin|idxmax|idxmin|nlargest|nsmallest|sort_values)\b", re.IGNORECASE)
    for text in ["BEST", "Best score", "x.Max()", "maxi", "ArgMin(", "sort_Values", "mIn", "\u017fort_values", "\u0130dxmax", "nothing"]:
        assert bool(experiments._BEST_WORD(text)) == bool(before.search(text))


def test_case_blind_refuses_patterns_the_lowercased_text_would_answer_differently() -> None:
    for pattern in (r"Docker", r"\Wpush", r"\S+deploy", r"[A-Z]", "d\u00e9ploy"):
        with pytest.raises(ValueError):
            casewords.CaseBlind(pattern)


def test_lowercasing_keeps_every_character_but_the_four_in_its_place_and_class() -> None:
    """What `CaseBlind` rests on: beyond the four characters of `FOLDS_TO_ASCII`, `str.lower` maps each
    character to one character, a non-ASCII one to a non-ASCII one, and keeps word, space and digit
    characters (and so word boundaries) what they were."""
    changed = [c for c in map(chr, range(sys.maxunicode + 1)) if c.lower() != c and c not in casewords.FOLDS_TO_ASCII]
    assert changed  # (the test looks at something)
    for c in changed:
        low = c.lower()
        assert len(low) == 1, hex(ord(c))
        assert low.isascii() == c.isascii(), hex(ord(c))
        for cls in (r"\w", r"\s", r"\d"):
            assert bool(re.match(cls, c)) == bool(re.match(cls, low)), (hex(ord(c)), cls)


# --- data-quality gates: what a test does not owe to derived names is worked out once per expression ---


def test_gate_raises_follows_names_derived_over_several_rounds() -> None:
    """`_gate_raises` remembers, per expression, the answer that does not depend on the names derived
    from checks; the names still grow round by round, so a name derived in the last round still makes
    its `if` a gate (and a name derived from nothing does not)."""
    import ast

    source = (
        "def f(df):\n"
        "    for _ in range(3):\n"
        "        if c:\n"
        "            raise ValueError('bad data')\n"
        "        c = b\n"
        "        b = a\n"
        "        a = df.isna().sum()\n"
    )
    func = ast.parse(source).body[0]
    assert data._gate_raises(func, set()) == [4]
    unrelated = source.replace("a = df.isna().sum()", "a = df.fillna(0)")
    assert data._gate_raises(ast.parse(unrelated).body[0], set()) == []
