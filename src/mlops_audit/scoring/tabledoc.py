"""Renders the combination table (scoring/combine.py) into docs/scoring.md between two markers,
so the document a reviewer reads is the table the code runs. `python -m mlops_audit.scoring.tabledoc
--write` refreshes it; a test fails when it is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_audit.scoring import combine

START = "<!-- combination-table:start (generated from scoring/combine.py; do not edit) -->"
END = "<!-- combination-table:end -->"
DOC = Path("docs") / "scoring.md"  # relative to a checkout's root, where the command is run

_CLAIM = {"yes": "yes", "partial": "partial", "no": "no", "n/a": "does not apply", "none": "nobody answered"}
_EVIDENCE = {"met": "shows it", "partial": "shows part", "unmet": "detector found nothing", "none": "none"}
_STRENGTH = {"claim": "claimed", "evidence": "the evidence's", "none": "-"}


def _after_policy(cell: combine.Cell) -> str:
    if cell.outcome.value != "met":
        return cell.outcome.value
    return "met if the strength reaches the policy's; else partial, *unsubstantiated*"


def table() -> str:
    rows = [
        "| respondents say | evidence | outcome before the policy | strength | conflict (first page) | after the evidence policy | the report shows |",
        "|---|---|---|---|---|---|---|",
    ]
    for (claim, evidence), cell in combine.TABLE.items():
        rows.append(
            f"| {_CLAIM[claim]} | {_EVIDENCE[evidence]} | {cell.outcome.value} | {_STRENGTH[cell.strength_from]} | "
            f"{cell.conflict or '-'} | {_after_policy(cell)} | {cell.shows} |"
        )
    return "\n".join(rows)


def render(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if not DOC.is_file():
        print(f"{DOC}: not found; run this from the root of a checkout", file=sys.stderr)
        return 2
    text = DOC.read_text(encoding="utf-8")
    fresh = render(text)
    if "--write" in argv:
        DOC.write_text(fresh, encoding="utf-8")
        print(f"wrote {DOC}")
        return 0
    return 0 if fresh == text else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
