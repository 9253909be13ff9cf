"""Schema migrations: a database file made by an older version opens, upgraded, with its data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from mlops_audit.rubric.loader import default_rubric
from mlops_audit.server import migrate, security
from mlops_audit.server.app import create_app
from mlops_audit.server.db import Base, make_engine
from tests.server.conftest import PASSWORD, Server
from tests.server.helpers import routed


def test_an_older_database_file_is_upgraded_and_keeps_its_data(blank_database_url):
    engine = make_engine(blank_database_url)
    migrate.upgrade(engine, "0001")  # the schema of the first release
    assert migrate.current_revision(engine) == "0001"
    now = datetime.now(tz=UTC)
    token = security.new_token()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO assessors (id, username, password_hash, created_at) VALUES (1, 'old', :h, :t)"), {"h": security.hash_password(PASSWORD), "t": now})
        conn.execute(
            text("INSERT INTO campaigns (id, organisation, scope, rubric_id, rubric_version, rubric_digest, teams, created_by, created_at) VALUES (1, 'Old Bank', NULL, 'caict-mlops-2023', :v, NULL, '[]', 'old', :t)"),
            {"t": now, "v": default_rubric().rubric.version},
        )
        conn.execute(text("INSERT INTO respondents (id, campaign_id, pseudonym, roles, team, submitted_at, created_at) VALUES (1, 1, 'r-old', '[\"business\"]', NULL, NULL, :t)"), {"t": now})
        conn.execute(text("INSERT INTO links (respondent_id, token_sha256, expires_at, revoked_at, created_at) VALUES (1, :h, :e, NULL, :t)"), {"h": security.token_hash(token), "e": now + timedelta(days=3), "t": now})
        conn.execute(text("INSERT INTO answers (respondent_id, criterion, value, comment, evidence, version, updated_at) VALUES (1, :c, '\"yes\"', 'kept', '[]', 1, :t)"), {"t": now, "c": routed(["business"])[0]})
    engine.dispose()

    app = create_app(blank_database_url)  # upgrades on start
    server = Server(app, blank_database_url)
    assert migrate.current_revision(app.state.engine) == migrate.head_revision() == "0004"
    client = server.client()
    page = client.get(f"/r/{token}")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text and "kept" in page.text  # lang defaulted to zh
    assert client.get("/api/respondents/1/answers").json()["answers"][0]["value"] == "yes"
    assessor = server.assessor("old")
    assert assessor.get("/api/campaigns").json()["campaigns"][0]["organisation"] == "Old Bank"
    settings = assessor.get("/api/campaigns/1/settings").json()  # revision 0004's columns, defaulted
    assert (settings["profiles"], settings["accept_reference_runs"], settings["trust_keys"]) == ([], False, [])
    app.state.engine.dispose()


def test_the_models_match_the_head_migration(blank_database_url):
    engine = make_engine(blank_database_url)
    migrate.upgrade(engine)
    found = inspect(engine)
    for table in Base.metadata.sorted_tables:
        assert {c["name"] for c in found.get_columns(table.name)} == {c.name for c in table.columns}, table.name
    assert set(found.get_table_names()) - {"alembic_version"} == set(Base.metadata.tables)
    engine.dispose()
