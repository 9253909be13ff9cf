"""Plain-text tables for a terminal. Pure functions: lines in, nothing printed here."""

from __future__ import annotations

from typing import Any

OUTCOME_ORDER = {"fail": 0, "error": 1, "pass": 2, "not_applicable": 3}
OUTCOME_LABEL = {"fail": "FAIL", "error": "ERROR", "pass": "pass", "not_applicable": "n/a"}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def collect_summary_lines(result: Any, width: int = 100) -> list[str]:
    """A CollectionResult as a table a person reads: failures first, then errors, passes and what
    could not be observed; one row per detector with its first location and the criteria it maps to."""
    findings = sorted(result.findings, key=lambda f: (OUTCOME_ORDER.get(f.outcome.value, 9), f.detector))
    detector_w = min(34, max([len("detector")] + [len(f.detector) for f in findings]))
    where_w = max(20, width - detector_w - 6 - 7 - 9 - 6)
    from mlops_audit.evidence.repo.learning import console_lines

    # The verdict on learning material comes first: it changes how every row below reads.
    lines = console_lines(getattr(result.stats, "learning_material", None))
    lines.append(f"{'detector':<{detector_w}}  {'result':<6} {'conf.':<6} {'where':<{where_w}} criteria")
    for f in findings:
        first = f.locations[0] if f.locations else None
        where = "-" if first is None else (f"{first.path}:{first.line}" if first.line else first.path)
        if len(f.locations) > 1:
            where += f" (+{len(f.locations) - 1})"
        lines.append(
            f"{_cut(f.detector, detector_w):<{detector_w}}  {OUTCOME_LABEL.get(f.outcome.value, f.outcome.value):<6} "
            f"{f.confidence.value:<6} {_cut(where, where_w):<{where_w}} {len(f.criteria)}"
        )
    counts = {k: sum(1 for f in findings if f.outcome.value == k) for k in OUTCOME_ORDER}
    lines.append(
        f"{result.repo}: {len(findings)} findings: {counts['pass']} pass, {counts['fail']} fail, "
        f"{counts['not_applicable']} not observable, {counts['error']} error"
    )
    left_out = getattr(result.stats, "not_project_code", None)
    if left_out is not None:
        from mlops_audit.evidence.repo.thirdparty import summary_line

        line = summary_line(
            left_out.installed_distributions, left_out.installed_python_files, left_out.installed_files, left_out.vendored_folders,
            documentation=(len(left_out.documentation_trees), left_out.documentation_code_files),
            learning=(len(left_out.learning_trees), left_out.learning_code_files),
        )
        if line:
            lines.append(line)
    return lines


__all__ = ["collect_summary_lines"]
