"""`mlops-audit serve`: assessment campaigns in the browser, on SQLite or PostgreSQL.

Modules, one job each:
- `db`: the SQLAlchemy tables and the engine (SQLite pragmas, PostgreSQL URLs); `migrate`: Alembic.
- `security`: argon2 passwords, hashed tokens, CSRF tokens, the login rate limiter.
- `campaigns`: campaigns, respondents, invitation links, answers (validated by the questionnaire code).
- `ledger`: the per-campaign hash-chained log of answer changes (audit-trail event format) and its export.
- `assessing`: answer files in the CLI's formats, `run_assessment` on them, reports, history and diff.
- `app`: the FastAPI application (pages under `/`, JSON under `/api/`, respondents under `/r/`).

The web layer is thin: every rule lives in the modules above and is tested there and through HTTP.
"""
