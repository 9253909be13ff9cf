"""`mlops-audit serve`: the campaign web application (docs/serve.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mlops_audit.errors import InputError


def database_url(database: Path, url: str | None) -> str:
    if url:
        if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite:///")):
            raise InputError(f"--database-url {url.split('://')[0]}://...: expected postgresql://user:password@host/dbname or sqlite:///file.db")
        return url
    return f"sqlite:///{database}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless you mean to share it).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path), default=Path("mlops-audit.db"), show_default=True, help="SQLite database file (created when absent).")
@click.option("--database-url", "url", help="Database URL instead of --database, e.g. postgresql://user:pass@host/db (or env MLOPS_AUDIT_DATABASE_URL).")
@click.option("--add-assessor", "add_assessor", metavar="NAME", help="Create an assessor account (password from env MLOPS_AUDIT_PASSWORD or a prompt) and exit.")
@click.option("--demo", is_flag=True, help="Load the demo bank as two finished campaigns (last year's and this year's) first; this year's is assessed with everything 'mlops-audit demo' uses (about 20 s).")
def serve(host: str, port: int, database: Path, url: str | None, add_assessor: str | None, demo: bool) -> None:
    """Serve assessment campaigns in the browser, on SQLite or PostgreSQL."""
    try:
        import uvicorn

        from mlops_audit.server.app import add_assessor as create, assessor_count, create_app
    except ModuleNotFoundError as exc:
        raise InputError(f"'mlops-audit serve' needs the serve extra ({exc.name} is missing): pip install 'mlops-audit[serve]'") from None
    import secrets

    from mlops_audit.server.campaigns import ClientError

    url = database_url(database, url or os.environ.get("MLOPS_AUDIT_DATABASE_URL"))
    setup_code = secrets.token_urlsafe(16)
    app = create_app(url, setup_code=setup_code)
    if add_assessor:
        password = os.environ.get("MLOPS_AUDIT_PASSWORD") or click.prompt("password", hide_input=True, confirmation_prompt=True)
        try:
            create(app, add_assessor, password)
        except ClientError as exc:
            raise InputError(f"--add-assessor: {exc.message}") from None
        click.echo(f"assessor '{add_assessor}' created")
        return
    if demo:
        from mlops_audit.server.demo import load_demo

        ids = load_demo(app.state.sessions, app.state.rubric)
        click.echo(f"demo bank loaded: campaigns {', '.join(map(str, ids))}", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"mlops-audit serve: database {url.split('@')[-1] if '@' in url else url}; http://{shown}:{port}/", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("warning: listening beyond this machine; put it behind HTTPS (cookies are sent in clear over http)", err=True)
    if assessor_count(app) == 0:
        click.echo(f"no assessor yet: create the first one at http://{shown}:{port}/setup?code={setup_code}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
