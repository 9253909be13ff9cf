"""A campaign's assessment settings (regulator profiles, accepting the bundled reference pipeline's
runs) and, on each assessment, the settings and CLI arguments it ran with.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (never a batch copy: on SQLite that drops and recreates the table, and the
    # ON DELETE CASCADE of respondents, answers and files would empty them)
    op.add_column("campaigns", sa.Column("profiles", sa.Text, nullable=False, server_default="[]"))
    op.add_column("campaigns", sa.Column("accept_reference_runs", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("assessments", sa.Column("settings", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("assessments", "settings")
    op.drop_column("campaigns", "accept_reference_runs")
    op.drop_column("campaigns", "profiles")
