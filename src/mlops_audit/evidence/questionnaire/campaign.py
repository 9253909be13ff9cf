"""A starter campaign folder (`mlops-audit init`): what an assessor hands out and fills in.

Pure: `campaign_files` returns file name -> bytes; the command writes them. The folder holds the
questionnaire (Excel for e-mail, the offline web page, YAML for engineers), a waiver file that
loads as it is (no waiver yet, one commented example), empty `answers/` and `evidence/` folders,
and a README of next steps whose commands run as written from inside the folder.
"""

from __future__ import annotations

from datetime import datetime

from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.rubric.loader import LoadedRubric

WAIVERS_TEMPLATE = """\
# Approved exceptions. A waived criterion is left out of the score, never counted as met, and
# void once expired. Every problem here (unknown criterion, bad date, missing approver) stops
# the assessment with its line and column: nothing is dropped silently.
format: mlops-audit/waivers@1
waivers: []
# waivers:
#   - criterion: OP.retraining_evaluation.L5     # see: mlops-audit rubric show OP.retraining_evaluation
#     justification: Legacy scoring engine, replaced in Q3
#     approved_by: Chief Risk Officer
#     expires: 2027-06-30
"""

README_TEMPLATE = """\
# MLOps maturity assessment: {organisation}

Rubric: {rubric_id} {rubric_version} (digest {digest}). Everything below runs from this folder.

1. **Hand out the questionnaire.** `questionnaire.xlsx` (Excel), `questionnaire.html` (a page that
   works offline in any browser and saves a JSON file) or `questionnaire.yaml`. For one role only:
   `mlops-audit questionnaire export --role data_engineer --out questionnaire-data.xlsx`
   (the role ids are listed on the questionnaire's cover).
2. **Collect the answers** into `answers/` and check them; every problem is listed with its place:
   `mlops-audit questionnaire check answers/`
3. **Collect repository evidence** (optional; nothing is executed):
   `mlops-audit collect PATH/TO/REPO --out evidence/REPO.json`
4. **Record approved exceptions** in `waivers.yaml` (it explains itself).
5. **Assess and render the report:**
   `mlops-audit assess --answers answers/ --evidence evidence/REPO.json --waivers waivers.yaml --out results --report html,pdf,xlsx`
   Add `--run PATH/TO/RUN` for pipeline runs with an audit trail, `--previous OLD/assessment.json`
   for a trend.
6. **Read page 1 of `results/report.zh.pdf` / `report.en.pdf`:** the level, what blocks the next one,
   and every caveat.
"""


def campaign_files(rubric: LoadedRubric, *, lang: str, organisation: str | None, generated_at: datetime) -> dict[str, bytes]:
    form, _ = make_form(rubric, lang=lang)
    r = rubric.rubric
    readme = README_TEMPLATE.format(
        organisation=organisation or "(organisation)", rubric_id=r.id, rubric_version=r.version, digest=rubric.digest[:12]
    )
    return {
        "questionnaire.xlsx": render(form, "xlsx", generated_at=generated_at),
        "questionnaire.html": render(form, "html", generated_at=generated_at),
        "questionnaire.yaml": render(form, "yaml", generated_at=generated_at),
        "waivers.yaml": WAIVERS_TEMPLATE.encode("utf-8"),
        "README.md": readme.encode("utf-8"),
        "answers/.keep": b"",
        "evidence/.keep": b"",
    }
