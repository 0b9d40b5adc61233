"""What a consultation copies from its scenario, at any length: the title and the ids of
ratifiers, parties and languages

The scenario file sets no length on them (``winset check`` accepts a title of 400 characters or
an id of 80), so the database does not either.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = {  # table: {column: its former length}
    "consultations": {"title": 300},
    "societies": {"ratifier": 64, "party": 64, "language": 16},
    "proposals": {"party": 64},
    "negotiators": {"party": 64},
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(column, existing_type=sa.String(length), type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    """Back to the former lengths: longer texts are cut to them."""
    for table, columns in COLUMNS.items():
        for column, length in columns.items():
            op.execute(f"UPDATE {table} SET {column} = SUBSTR({column}, 1, {length}) WHERE LENGTH({column}) > {length}")
        with op.batch_alter_table(table) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length), existing_nullable=False)
