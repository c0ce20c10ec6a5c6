"""Plain SQL for the few queries every page runs (posts.live, the product cards).

The ORM spends far longer building a query than the database spends answering these: a
timeline page runs them on every read, so they are written once as SQL over the models' own
table names, portable between SQLite and PostgreSQL, and return plain tuples.
"""

import datetime as dt
import functools
from collections.abc import Hashable, Sequence
from typing import Any, cast

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.dateparse import parse_datetime


def table(model: Any) -> str:
    return _table(model, _db().vendor)


@functools.cache
def _table(model: Any, vendor: str) -> str:
    # Quoted once per model and database kind: every page names a dozen tables.
    return _db().ops.quote_name(model._meta.db_table)


def placeholders(values: Sequence[Any]) -> str:
    """`%s, %s, ...` for an IN list (never empty: callers skip empty lists)."""
    assert values, "an empty IN list"
    return ", ".join(["%s"] * len(values))


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def datetime_param(value: dt.datetime) -> Any:
    """An aware datetime as a raw cursor's parameter compares with the column (SQLite keeps
    text in its own format; PostgreSQL takes the datetime)."""
    return connection.ops.adapt_datetimefield_value(value)


def as_datetime(value: Any) -> dt.datetime | None:
    """A datetime column as read by a raw cursor (SQLite gives text), aware in UTC."""
    if value is None:
        return None
    # SQLite gives text, or a naive datetime where the column is declared as one.
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


# --- The checkout's few statements --------------------------------------------------------
# Placing, paying and buying now run about a dozen small statements each; building them with
# the ORM cost several times what PostgreSQL spends answering them. These helpers read and
# write whole model rows with plain SQL, keeping the fields' own conversions (JSON, booleans
# and datetimes on SQLite) so that what they return is what the ORM would have returned.


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run one statement; its row count (what a conditional UPDATE is judged by)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _db() -> Any:
    """The thread's connection itself: `django.db.connection` is a proxy that looks it up
    again on every attribute, which adds up over a row's fields."""
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def _reader(
    model: Any, vendor: str
) -> tuple[list[str], list[str], list[tuple[int, list[Any], Any]]]:
    db = _db()
    fields = model._meta.concrete_fields
    columns = [db.ops.quote_name(f.column) for f in fields]
    converters = []
    for position, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        found = db.ops.get_db_converters(col) + col.get_db_converters(db)
        if found:
            converters.append((position, found, col))
    return [f.attname for f in fields], columns, converters


def columns(model: Any, alias: str) -> str:
    """`alias."col", ...` for every concrete field of `model`, in the order `instance` reads."""
    names = _reader(model, connection.vendor)[1]
    return ", ".join(f"{alias}.{name}" for name in names)


def width(model: Any) -> int:
    return len(model._meta.concrete_fields)


def instance[M](model: type[M], values: Sequence[Any]) -> M:
    """A model instance from the `columns(model, ...)` part of a row, as the ORM builds it."""
    db = _db()
    attnames, _names, converters = _reader(cast(Hashable, model), db.vendor)
    row = list(values)
    for position, found, col in converters:
        value = row[position]
        for convert in found:
            value = convert(value, col, db)
        row[position] = value
    return model.from_db(db.alias, attnames, row)  # type: ignore[attr-defined]


def value(model: Any, name: str, raw: Any) -> Any:
    """One column of `model` read by a raw cursor, as the ORM would give it (aware datetimes
    on SQLite too, parsed JSON)."""
    db = _db()
    f = model._meta.get_field(name)
    col = f.get_col(model._meta.db_table)
    for convert in db.ops.get_db_converters(col) + col.get_db_converters(db):
        raw = convert(raw, col, db)
    return raw


@functools.cache
def _writer(model: Any, vendor: str) -> tuple[list[Any], str]:
    # An auto-increment id (db_returning) is the database's to choose.
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "db_returning", False)]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return fields, f"INSERT INTO {table(model)} ({names}) VALUES "  # noqa: S608


def insert_statement(objs: Sequence[Any]) -> tuple[str, list[Any]]:
    """One INSERT of model instances (all of one model) as they are: defaults were applied
    when they were made, `auto_now_add` is applied here. An auto-increment id is not read
    back (the checkout never needs it)."""
    assert objs, "nothing to insert"
    db = _db()
    model: Any = type(objs[0])
    fields, prefix = _writer(cast(Hashable, model), db.vendor)
    params: list[Any] = []
    for obj in objs:
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields)
        obj._state.adding, obj._state.db = False, db.alias
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return prefix + ", ".join([row] * len(objs)), params


def insert(objs: Sequence[Any]) -> None:
    execute(*insert_statement(objs))


Statement = tuple[str, Sequence[Any]]


def batch(statements: Sequence[Statement]) -> list[int]:
    """Run statements in order; their row counts. On PostgreSQL they go in one round trip
    (one string, `;`-separated, which client-side binding allows), so a transaction's hot rows
    are held for one round trip instead of one per statement; SQLite runs them one by one. The
    first statement that fails raises, and the ones after it do not run."""
    db = _db()
    if db.vendor != "postgresql" or len(statements) == 1:
        return [execute(text, params) for text, params in statements]
    with db.cursor() as cursor:
        raw = cursor.cursor
        # Each statement bound on its own by the client (psycopg caches the parsing of short
        # statements, not of one long string with many parameters), then sent as one string
        # without parameters, which PostgreSQL takes as several statements even where the
        # connection binds parameters on the server (STOREFEED_DB_PREPARED).
        # (A string with its values in it is never run twice, so psycopg never prepares it.)
        binder = raw if hasattr(raw, "mogrify") else psycopg.ClientCursor(raw.connection)
        cursor.execute(SEPARATOR.join(binder.mogrify(text, params) for text, params in statements))
        counts = [int(raw.rowcount)]
        while raw.nextset():
            counts.append(int(raw.rowcount))
    return counts


# How `batch` joins statements (tests split captured SQL on it to count statements).
SEPARATOR = ";\n"


def update_statement(model: Any, values: dict[str, Any], where: dict[str, Any]) -> Statement:
    """`UPDATE table SET field = value, ... WHERE field = value AND ...`, fields by name and
    values prepared by the fields themselves."""
    meta, db = model._meta, _db()

    def pairs(items: dict[str, Any], joiner: str) -> tuple[str, list[Any]]:
        parts, params = [], []
        for name, value in items.items():
            f = meta.get_field(name)
            parts.append(f"{db.ops.quote_name(f.column)} = %s")
            params.append(f.get_db_prep_save(value, db))
        return joiner.join(parts), params

    assignments, params = pairs(values, ", ")
    conditions, more = pairs(where, " AND ")
    return f"UPDATE {table(model)} SET {assignments} WHERE {conditions}", params + more  # noqa: S608
