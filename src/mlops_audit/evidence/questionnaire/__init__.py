"""Questionnaires: export the rubric's questions, import and check answered files, merge respondents."""
