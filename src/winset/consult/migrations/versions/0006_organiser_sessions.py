"""Organisers' sessions kept on the server (logging out or revoking one takes effect at once), and
failed attempts to join or log in, shared by every worker process that limits them

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organiser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organiser_id"], ["organisers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_index("ix_organiser_sessions_organiser_id", "organiser_sessions", ["organiser_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attempts_purpose_client_at", "attempts", ["purpose", "client_hash", "at"])
    op.create_index("ix_attempts_at", "attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_attempts_at", table_name="attempts")
    op.drop_index("ix_attempts_purpose_client_at", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index("ix_organiser_sessions_organiser_id", table_name="organiser_sessions")
    op.drop_table("organiser_sessions")
