"""Proposals without a package: statements imported from Polis conversations

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.alter_column("package", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM vote_events WHERE proposal_id IN (SELECT id FROM proposals WHERE package IS NULL)")
    op.execute("DELETE FROM votes WHERE proposal_id IN (SELECT id FROM proposals WHERE package IS NULL)")
    op.execute("DELETE FROM proposals WHERE package IS NULL")
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.alter_column("package", existing_type=sa.Text(), nullable=False)
