"""The server's tables (SQLAlchemy 2) and its engine.

The schema is owned by the Alembic migrations in `migrations/versions/`; these classes mirror the
head revision (a test compares them). Answers, attachments and uploaded files live in the database,
so a server restart or a second machine loses nothing; everything can be exported in the CLI's
file formats.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LoginFailure(Base):
    """A failed sign-in, counted per key (user name, client address; stored as SHA-256) in a window."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Assessor(Base):
    __tablename__ = "assessors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Session(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("assessors.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str | None] = mapped_column(String(500), nullable=True)
    rubric_id: Mapped[str] = mapped_column(String(120))
    rubric_version: Mapped[str] = mapped_column(String(40))
    rubric_digest: Mapped[str | None] = mapped_column(String(80), nullable=True)
    teams: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of team names
    # assessment settings (revision 0004): `assess --profile NAME` each, `--accept-reference-run`
    profiles: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of bundled profile names
    accept_reference_runs: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Respondent(Base):
    __tablename__ = "respondents"
    __table_args__ = (UniqueConstraint("campaign_id", "pseudonym"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(120))  # answers@1 respondent.id: not a person's name
    roles: Mapped[str] = mapped_column(Text)  # JSON list of role ids
    team: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str] = mapped_column(String(8), default="zh")  # added in revision 0002
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Link(Base):
    __tablename__ = "links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("respondent_id", "criterion"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(120))
    value: Mapped[str] = mapped_column(Text)  # canonical JSON of the canonical answer value (null when blank)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of links
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency: saves name the version they change
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogEvent(Base):
    """One line of a campaign's hash-chained log, stored exactly as it is exported."""

    __tablename__ = "log_events"
    __table_args__ = (UniqueConstraint("campaign_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(Text)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignFile(Base):
    """A file the assessor attached (`assessing.FILE_KINDS`): collect JSON, a zipped run, waivers,
    zipped reviewed documents, decisions, a trusted public key."""

    __tablename__ = "campaign_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessmentRow(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(200), index=True)
    rubric_version: Mapped[str] = mapped_column(String(40))
    assessed_at: Mapped[str] = mapped_column(String(40))
    overall_level: Mapped[int] = mapped_column(Integer)
    overall_score: Mapped[str | None] = mapped_column(String(20), nullable=True)
    log_head: Mapped[str] = mapped_column(String(64))  # the campaign log's head hash when it ran
    log_count: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # assessment.json, the bytes the CLI writes
    settings: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: the settings and `assess` arguments it ran with (0004)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RenderedFile(Base):
    """Reports rendered from an assessment (PDF takes seconds), kept so a second download is instant."""

    __tablename__ = "rendered_files"
    __table_args__ = (UniqueConstraint("assessment_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    data: Mapped[bytes] = mapped_column(LargeBinary)


def normalise_url(url: str) -> str:
    """postgresql:// and postgres:// URLs use the psycopg 3 driver we depend on."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8, max_overflow=16)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across process restarts, one fsync per checkpoint
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:  # noqa: ANN001
            # IMMEDIATE takes the write lock at the start: two saves never deadlock upgrading a read
            # lock (SQLITE_BUSY), they wait their turn (busy_timeout).
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
