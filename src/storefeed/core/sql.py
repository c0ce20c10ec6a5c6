"""Plain SQL for the few queries every page runs (posts.live, the product cards).

The ORM spends far longer building a query than the database spends answering these: a
timeline page runs them on every read, so they are written once as SQL over the models' own
table names, portable between SQLite and PostgreSQL, and return plain tuples.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime


def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(values: Sequence[Any]) -> str:
    """`%s, %s, ...` for an IN list (never empty: callers skip empty lists)."""
    assert values, "an empty IN list"
    return ", ".join(["%s"] * len(values))


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_datetime(value: Any) -> dt.datetime | None:
    """A datetime column as read by a raw cursor (SQLite gives text), aware in UTC."""
    if value is None:
        return None
    # SQLite gives text, or a naive datetime where the column is declared as one.
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed
