"""Shared assessments and renders for the report tests (built once per session: they are pure)."""

from __future__ import annotations

import pytest

import report_builders as builders
from mlops_audit.report.exports import report_digest
from mlops_audit.report.html import render_html


@pytest.fixture(scope="session")
def small_rubric():
    return builders.small_rubric()


@pytest.fixture(scope="session")
def full_rubric(small_rubric):
    """The bundled ~200-criterion rubric (the real report's size); the small fixture until it loads."""
    return builders.bundled_rubric_or_none() or small_rubric


@pytest.fixture(scope="session")
def rich(full_rubric):
    return builders.rich_assessment(full_rubric)


@pytest.fixture(scope="session")
def previous(full_rubric):
    return builders.rich_assessment(full_rubric, variant="previous")


@pytest.fixture(scope="session")
def sparse(full_rubric):
    return builders.sparse_assessment(full_rubric)


@pytest.fixture(scope="session")
def rich_small(small_rubric):
    """A rich assessment on the small rubric: the PDF tests use it to stay fast (the benchmark renders the full one)."""
    return builders.rich_assessment(small_rubric)


@pytest.fixture(scope="session")
def previous_small(small_rubric):
    return builders.rich_assessment(small_rubric, variant="previous")


@pytest.fixture(scope="session")
def rich_html(rich, previous):
    """The rich assessment rendered in both languages, with a trend against `previous`."""
    return {lang: render_html(rich, lang, report_digest=report_digest(rich), previous=previous) for lang in ("zh", "en")}


@pytest.fixture(scope="session")
def sparse_html(sparse):
    return {lang: render_html(sparse, lang, report_digest=report_digest(sparse)) for lang in ("zh", "en")}
