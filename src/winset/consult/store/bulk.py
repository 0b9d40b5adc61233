"""Many rows of one table written by one prepared statement, as the vote writer writes a batch.

On PostgreSQL the rows go as one array per column, which the server unnests: one statement and
one round trip whatever the number of rows, and the same statement text for every batch (so the
server plans it once). Executing a statement once per row would cost a round trip and an
execution per row (psycopg pipelines them, but the server still runs each one). On SQLite, which
runs in the process, a row costs a function call: the statement is executed for each row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, true
from sqlalchemy.dialects import postgresql

from ..models import Base
from .base import upsert_statement


class BulkWrite:
    """Insert rows of ``model`` (tuples in the order of ``columns``); with ``keys``, a row whose
    ``keys`` columns match an existing row's updates it instead (ON CONFLICT DO UPDATE), and of
    rows of one call with the same ``keys`` the last is written (on every database: PostgreSQL
    refuses a statement that would update a row twice). The statement is built once, for the
    named dialect."""

    def __init__(self, dialect: str, model: type[Base], columns: list[str], keys: list[str] | None = None) -> None:
        self.columns = columns
        self.keys = [columns.index(k) for k in keys or []]
        self.arrays = dialect == "postgresql"
        statement: Any
        if not self.arrays:
            statement = upsert_statement(dialect, model, keys, columns) if keys else insert(model)
        else:
            table = model.__table__
            typed = [bindparam(c, type_=postgresql.ARRAY(table.c[c].type)) for c in columns]
            rows = func.unnest(*typed).table_valued(*columns).render_derived(name="batch")
            # WHERE true: without it the server would read ON CONFLICT as the ON of a join
            unnested = select(*(rows.c[c] for c in columns)).where(true())
            statement = postgresql.insert(model).from_select(columns, unnested)
            if keys:
                changed = {c: statement.excluded[c] for c in columns if c not in keys}
                statement = statement.on_conflict_do_update(index_elements=keys, set_=changed)
        self.statement = statement

    def __call__(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.keys:  # the last row of each key, where it first came
            rows = list({tuple(row[i] for i in self.keys): row for row in rows}.values())
        if self.arrays:
            connection.execute(self.statement, {c: [row[i] for row in rows] for i, c in enumerate(self.columns)})
        else:
            connection.execute(self.statement, [dict(zip(self.columns, row, strict=True)) for row in rows])
