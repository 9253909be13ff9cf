"""Questionnaires: export the rubric's questions, import and check answered files, merge respondents.

Modules, one job each:
- `form`: the format-neutral questionnaire (rows of criteria with any answers, respondent details).
- `export`: build a form (role filter, re-export of a filled file, detector pre-fill) and render it.
- `xlsx`, `structured` (YAML, JSON), `csvfile`, `markdown`: one writer and one reader per format.
- `htmlform`: the web form (writer only: the page's script saves an answers JSON file).
- `raw`: what readers hand over (values with their places); `validate`: rubric checks, canonical values.
- `importer`: `read_answer_files(paths, rubric)`, the entry point `assess --answers` uses.
- `prefill`: repository findings -> proposed answers to confirm; `merge`: many respondents -> one file
  plus a disagreement table; `schema`: the answers JSON Schema.
"""
