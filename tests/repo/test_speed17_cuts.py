"""Session 17's speed cuts (issue #12's collect-time allowance): the same answers with less work. Each
test holds the former formulation as the specification and checks that the new one answers the same
on texts built from the pieces that decide it (the words in either case, near misses, line breaks),
so what collect reports cannot change."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.repo import coursework

FILLERS = [" ", "\n", "\t", ".", ",", "x", "-", "\u00e9", "\u017f"]


def _texts(pieces: list[str], max_size: int = 16) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces + FILLERS), max_size=max_size).map("".join)


# --- the README's opening: each search made once per text -------------------------------------------


def _teaching_readme_before(opening: tuple[str, str] | None, *, strong_only: bool = False, whole: bool = False) -> str | None:
    """`coursework.teaching_readme` as it was: both searches of the text made on every call."""
    if opening is None:
        return None
    name, text = opening
    if coursework._says_it_is_a_project.__wrapped__(text):
        return None
    for match in coursework._MATERIAL_PHRASES.finditer(text):
        if whole and coursework._GENERIC_MATERIAL.fullmatch(match.group(0)):
            continue
        return f"{name} presents it as teaching material ('{' '.join(match.group(0).split())}')"
    title = next((line.strip("# =*\t") for line in text.splitlines() if line.strip("# =*-\t")), "")
    if (said := coursework._title_said_again(title, text)) is not None:
        return f"{name}'s title names a {said[0]} and its text {said[1]}"
    if strong_only:
        return None
    if (match := next((m for m in coursework._TITLE.finditer(title) if coursework.noun_names_the_repository(title, m.end())), None)) is not None:
        return f"{name}'s title names a {match.group(0).lower()} ('{title[:80]}')"
    if (match := coursework._THIS_COURSE.search(text)) is not None:
        return f"{name} speaks of '{match.group(0).lower()}'"
    return None


OPENING_PIECES = [
    "# MLOps Workshop\n", "# Churn model\n", "This project", "this project is a ", "Our project", "course project", "final project",
    "Capstone", "thesis", "The course ends with a ", "course materials", "Course Repository", "course notebooks", "companion code",
    "hands-on workshop", "Hands-On Lab", "Welcome to the tutorial", "In this lesson, you will", "code for the book", "template",
    "sample app", "starter kit", "this course", "Workshop", "tutorial notebooks", "exercises", "while learning", "is a ",
]


@settings(max_examples=500, deadline=None)
@given(text=_texts(OPENING_PIECES, max_size=14), order=st.permutations([(False, False), (True, False), (True, True), (False, True)]))
def test_teaching_readme_answers_as_when_it_searched_on_every_call(text: str, order: list[tuple[bool, bool]]) -> None:
    opening = ("README.md", text)
    for strong_only, whole in order:  # asked in any order, each flag set answers as before
        assert coursework.teaching_readme(opening, strong_only=strong_only, whole=whole) == _teaching_readme_before(
            opening, strong_only=strong_only, whole=whole
        )
    assert coursework.project_of_a_course(opening) == coursework._says_it_is_a_project.__wrapped__(text)
    assert coursework._material_phrases(text) == tuple(m.group(0) for m in coursework._MATERIAL_PHRASES.finditer(text))


def test_teaching_readme_cases() -> None:
    workshop = ("README.md", "# MLOps Workshop\nHands-on workshop: course materials for the class.")
    assert coursework.teaching_readme(workshop) == _teaching_readme_before(workshop) is not None
    # A generic phrase counts unless the whole repository is asked about.
    generic = ("README.md", "Course notebooks and more.")
    assert coursework.teaching_readme(generic) is not None
    assert coursework.teaching_readme(generic, strong_only=True, whole=True) == _teaching_readme_before(generic, strong_only=True, whole=True)
    # A project made in a course is never material, however often it is asked.
    capstone = ("README.md", "Our capstone: course materials reused.")
    for _ in range(3):
        assert coursework.teaching_readme(capstone) is None
        assert coursework.project_of_a_course(capstone)
    assert coursework.teaching_readme(None) is None
