"""Proposal titles of any length: statements imported from Polis keep their whole text

Polis caps the comments typed into it, but exports from older or other deployments carry longer
ones; the 300 characters of a typed title are checked where titles are typed, not by the column.

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
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=300), type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    """Back to 300 characters: a longer statement is cut to its first 300 (the rest is lost)."""
    op.execute("UPDATE proposals SET title = SUBSTR(title, 1, 300) WHERE LENGTH(title) > 300")
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.alter_column("title", existing_type=sa.Text(), type_=sa.String(length=300), existing_nullable=False)
