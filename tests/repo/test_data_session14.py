"""Session 14's validates_data rules (conventions §7 and §14), each with the practice it recognises
and the near miss it must not: a failed data check that stops the run with a failure exit status,
and records routed to a quarantine sink by a per-record verdict."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- a failed check stops the run with `sys.exit(1)` as surely as with `raise` -----------------------

EXITS_ON_ISSUES = """\
import sys

import pandas as pd


def validate_data(responses: pd.DataFrame) -> None:
    issues = []
    missing_share = responses.isna().mean().mean()
    if missing_share > 0.2:
        issues.append(f"{missing_share:.0%} of the answers are missing")
    if responses["respondent_id"].duplicated().any():
        issues.append("duplicate respondents")
    if issues:
        print("\\n".join(issues))
        sys.exit(1)


def main() -> None:
    responses = pd.read_csv("data/responses.csv")
    validate_data(responses)
    responses.to_parquet("data/clean.parquet")


if __name__ == "__main__":
    main()
"""


def test_a_pipeline_exiting_with_a_failure_status_when_its_data_checks_fail_validates_data(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"pipeline/setup.py": EXITS_ON_ISSUES}), "validates_data")[0] is PASS


def test_exiting_with_success_or_only_printing_after_the_checks_does_not_act_on_them(tmp_path: Path) -> None:
    success = EXITS_ON_ISSUES.replace("sys.exit(1)", "sys.exit(0)")
    assert _outcome(_tree(tmp_path / "success", {"pipeline/setup.py": success}), "validates_data")[0] is FAIL
    printed = EXITS_ON_ISSUES.replace("        sys.exit(1)\n", "")
    assert _outcome(_tree(tmp_path / "printed", {"pipeline/setup.py": printed}), "validates_data")[0] is FAIL


# --- rule `records routed to a quarantine` ---------------------------------------------------------

QUARANTINE_FILES = """\
import json


def run_checks(record: dict) -> list[str]:
    return [w for w in ("history", "completion") if not record.get(w)]


def process_file(input_path: str, quality_path: str, quarantine_path: str) -> None:
    with open(input_path) as fin, open(quality_path, "w") as fout, open(quarantine_path, "w") as qout:
        for line in fin:
            rec = json.loads(line)
            rec["qa_pass"] = not run_checks(rec)
            if rec["qa_pass"]:
                fout.write(json.dumps(rec) + "\\n")
            else:
                qout.write(json.dumps(rec) + "\\n")


if __name__ == "__main__":
    process_file("data/sft.jsonl", "data/quality/sft.jsonl", "data/quarantine/sft.jsonl")
"""

REJECTED_ROWS = """\
import pandas as pd


def load_sales(rows: list[dict], known_skus: set[str]) -> pd.DataFrame:
    kept, rejected = [], []
    for row in rows:
        if row["quantity"] < 0 or row["sku"] not in known_skus:
            rejected.append(row)
            continue
        kept.append(row)
    pd.DataFrame(rejected).to_csv("data/rejected_rows.csv")
    return pd.DataFrame(kept)
"""


def test_records_routed_by_a_verdict_to_a_file_opened_on_a_quarantine_path_validate_data(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"data_pipeline/qa/check.py": QUARANTINE_FILES}), "validates_data")
    assert outcome is PASS and "quarantine" in message


def test_failing_rows_set_aside_in_a_rejected_list_by_a_step_the_pipeline_calls_validate_data(tmp_path: Path) -> None:
    caller = "from ingest.sales import load_sales\n\nframe = load_sales([], set())\nframe.to_parquet('data/sales.parquet')\n"
    assert _outcome(_tree(tmp_path, {"ingest/sales.py": REJECTED_ROWS, "run.py": caller}), "validates_data")[0] is PASS


def test_a_quarantine_file_copied_without_a_verdict_or_a_rejection_nobody_calls_is_not_validation(tmp_path: Path) -> None:
    copied = QUARANTINE_FILES.replace(
        '            if rec["qa_pass"]:\n                fout.write(json.dumps(rec) + "\\n")\n            else:\n                qout.write(json.dumps(rec) + "\\n")\n',
        '            fout.write(json.dumps(rec) + "\\n")\n            qout.write(json.dumps(rec) + "\\n")\n',
    )
    assert _outcome(_tree(tmp_path / "copied", {"data_pipeline/qa/check.py": copied}), "validates_data")[0] is FAIL
    assert _outcome(_tree(tmp_path / "uncalled", {"ingest/sales.py": REJECTED_ROWS}), "validates_data")[0] is FAIL


def test_records_written_to_an_ordinary_output_on_a_verdict_are_not_a_quarantine(tmp_path: Path) -> None:
    renamed = QUARANTINE_FILES.replace("quarantine_path", "second_path").replace("data/quarantine/", "data/second/")
    assert _outcome(_tree(tmp_path, {"data_pipeline/qa/check.py": renamed}), "validates_data")[0] is FAIL
