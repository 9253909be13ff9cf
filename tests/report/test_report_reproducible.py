"""The workbook export is byte-identical for the same Assessment, in any process, at any time.

The PDF's counterpart is in test_report_pdf.py (slow module: a PDF render takes seconds).
"""

from __future__ import annotations

import io
import re
import zipfile

from mlops_audit.report.exports import assessment_json_bytes
from mlops_audit.report.xlsx import to_xlsx
from mlops_audit.util.clock import parse_timestamp
from mlops_audit.util.spreadsheet import zip_time
from tests.fresh_process import run_cli


def test_workbook_is_byte_identical_when_written_again_in_a_fresh_process(rich_small, tmp_path):
    (tmp_path / "assessment.json").write_bytes(assessment_json_bytes(rich_small))
    run_cli(["report", "assessment.json", "--format", "xlsx", "--lang", "en", "--out", "out"], cwd=tmp_path)
    assert (tmp_path / "out" / "assessment.xlsx").read_bytes() == to_xlsx(rich_small, "en")


def test_workbook_carries_the_assessment_time_and_no_save_time(rich_small):
    """openpyxl stamps the clock into core.xml and each zip entry; all must be `assessed_at` instead."""
    moment = parse_timestamp(rich_small.assessed_at, where="test")
    with zipfile.ZipFile(io.BytesIO(to_xlsx(rich_small, "en"))) as z:
        stamps = {info.date_time for info in z.infolist()}
        core = z.read("docProps/core.xml").decode("utf-8")
    year, month, day, hour, minute, second = zip_time(moment)
    assert stamps == {(year, month, day, hour, minute, second - second % 2)}  # zip keeps even seconds
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
        ("created", rich_small.assessed_at),
        ("modified", rich_small.assessed_at),
    ]
