"""Where the tool's own data lives: the one place that knows.

In a built wheel `rubrics/` and `reports/` are mapped to `mlops_audit/_data/` (see pyproject's
force-include); in a source checkout or an editable install they sit at the repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _data_root(name: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"mlops-audit data folder '{name}' is missing: looked in {installed} and {checkout}. "
        "The installation is incomplete; reinstall the package."
    )


def rubrics_dir() -> Path:
    """The folder holding bundled rubrics, the clause catalogue and published JSON Schemas."""
    return _data_root("rubrics")


def schema_dir() -> Path:
    return rubrics_dir() / "schema"


def reports_dir() -> Path:
    """The folder holding report templates, styles and message catalogues."""
    return _data_root("reports")


def default_rubric_path() -> Path:
    return rubrics_dir() / "caict-mlops-2023"


def clause_catalogue_path() -> Path:
    return rubrics_dir() / "clauses.yaml"
