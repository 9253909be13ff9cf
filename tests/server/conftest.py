"""Server test fixtures: one application per test on a fresh database.

SQLite by default; set MLOPS_AUDIT_TEST_PG_URL (postgresql://user@host:port/db) to run the same
tests on PostgreSQL as well: each test then gets its own freshly created database there.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[serve]')")

from fastapi.testclient import TestClient  # noqa: E402

from mlops_audit.server.app import add_assessor, create_app  # noqa: E402

PG_ENV = "MLOPS_AUDIT_TEST_PG_URL"
PASSWORD = "correct horse battery"
SETUP_CODE = "test-setup-code"


def _admin(base: str) -> str:
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", base)


def _pg_database(base: str, template: str | None = None) -> Iterator[str]:
    """A new database on the test server (a copy of `template` when given), dropped afterwards."""
    import psycopg

    # Unique per test; the xdist worker's name (gw0, gw1...) tells whose a leftover database was.
    name = f"t_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:12]}"
    admin = _admin(base)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"  # same server and user, the new database
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """argon2id at its lowest cost in tests (the defaults take 0.3 s a hash on a busy machine)."""
    from mlops_audit.server import security

    monkeypatch.setattr(security, "ARGON2_PARAMETERS", {"time_cost": 1, "memory_cost": 8, "parallelism": 1})


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty database at the head revision, copied for each test (migrating takes a second)."""
    from mlops_audit.server import migrate
    from mlops_audit.server.db import make_engine

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _pg_base() -> str:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL run skipped: set {PG_ENV}=postgresql://user@host:port/db (.ci/run does)")
    return base


@pytest.fixture(scope="session")
def migrated_postgresql() -> Iterator[str]:
    """A database at the head revision that each test's database is created from."""
    from mlops_audit.server import migrate
    from mlops_audit.server.db import make_engine

    for url in _pg_database(_pg_base()):
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A database at the current schema, empty."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), tmp_path / "serve.db")
        yield f"sqlite:///{tmp_path / 'serve.db'}"
        return
    base = _pg_base()
    yield from _pg_database(base, template=request.getfixturevalue("migrated_postgresql"))


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request, tmp_path) -> Iterator[str]:
    """A database without any table (for migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    yield from _pg_database(_pg_base())


@dataclass
class Server:
    app: object
    url: str

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://127.0.0.1:8000")

    def assessor(self, username: str = "alice") -> TestClient:
        """A client signed in as an assessor (created when missing)."""
        try:
            add_assessor(self.app, username, PASSWORD)
        except Exception as exc:  # already there
            if "exists already" not in str(exc):
                raise
        client = self.client()
        response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return client


def csrf(client: TestClient) -> str:
    """The CSRF token of a client's cookie, as a page would embed it."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert match, page.text[:500]
    return match.group(1)


@pytest.fixture
def server(database_url) -> Iterator[Server]:
    app = create_app(database_url, setup_code=SETUP_CODE)
    yield Server(app, database_url)
    app.state.engine.dispose()
