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
from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, connection, connections
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


def batch(statements: Sequence[Statement], *, commit: bool = False) -> list[int]:
    """Run statements in order; their row counts. On PostgreSQL they go in one round trip
    (one string, `;`-separated, which client-side binding allows), so a transaction's hot rows
    are held for one round trip instead of one per statement; SQLite runs them one by one. The
    first statement that fails raises, and the ones after it do not run.

    `commit=True`: these are the transaction's last statements, and where it can (PostgreSQL,
    the outermost transaction, no savepoint open) the COMMIT goes in the same round trip, so
    the hot rows are unlocked inside PostgreSQL without waiting for this thread to be
    scheduled again (see `_commit_with`). Elsewhere it is the plain batch and the caller's
    `atomic` commits as usual; the counts are the same either way."""
    db = _db()
    if commit and _can_commit(db):
        counts = _commit_with(db, statements)
        if counts is not None:
            return counts
    if db.vendor != "postgresql" or len(statements) == 1:
        return [execute(text, params) for text, params in statements]
    return _send(db, _bound(db, statements))


def _bound(db: Any, statements: Sequence[Statement]) -> list[str]:
    """The statements with their values in them, bound by the client. (Each statement is
    bound on its own: psycopg caches the parsing of short statements, not of one long string
    with many parameters.) A string with its values in it is never run twice, so psycopg
    never prepares it, even where the connection binds on the server (STOREFEED_DB_PREPARED)."""
    with db.cursor() as cursor:
        raw = cursor.cursor
        binder = raw if hasattr(raw, "mogrify") else psycopg.ClientCursor(raw.connection)
        return [str(binder.mogrify(text, params)) for text, params in statements]


def _send(db: Any, parts: Sequence[str]) -> list[int]:
    """The bound statements as one string, which PostgreSQL takes as several statements; the
    row count of each."""
    with db.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute(SEPARATOR.join(parts))
        counts = [int(raw.rowcount)]
        while raw.nextset():
            counts.append(int(raw.rowcount))
    return counts


def _can_commit(db: Any) -> bool:
    """Inside the outermost `atomic` with no savepoint open: a COMMIT sent here ends the very
    transaction the caller's block would commit. (Never inside a test's own transaction.)"""
    return (
        db.vendor == "postgresql"
        and db.in_atomic_block
        and not db.get_autocommit()
        and all(sid is None for sid in db.savepoint_ids)
        and not any(getattr(block, "_from_testcase", False) for block in db.atomic_blocks)
    )


# The savepoint a committing batch rolls back to when one of its statements refuses.
_SAVEPOINT = "storefeed_last_writes"


def _commit_with(db: Any, statements: Sequence[Statement]) -> list[int] | None:
    """`SAVEPOINT; the statements; COMMIT` in one round trip. A refusal must then be an error
    that stops the string before its COMMIT, not a row count read afterwards: each UPDATE is
    sent as `WITH hit AS (UPDATE ... RETURNING 1) SELECT 1 / COUNT(*) FROM hit`, which fails
    (division by zero) when it changed no row, and a CHECK constraint (stock >= 0, balance
    >= 0) fails likewise. On such an error PostgreSQL skips the rest of the string, the
    transaction is rolled back to the savepoint (what came before it stays: the key's claim,
    the locks taken) and None is returned: the caller's plain batch then runs the statements
    again, their counts judged as usual (a refusal raised, or, if the race went the other way
    meanwhile, committed by the caller's block). On success the counts are those of the plain
    batch (an UPDATE's is 1), and Django's COMMIT at the end of the block is a no-op (psycopg
    sends none when the server says the transaction is over). An UPDATE made with `optional`
    may change no row (it is sent as it is)."""
    parts = [f"SAVEPOINT {_SAVEPOINT}"]
    for bound in _bound(db, statements):
        if bound.lstrip().upper().startswith("UPDATE "):
            bound = f"WITH hit AS ({bound} RETURNING 1) SELECT 1 / COUNT(*) FROM hit"  # noqa: S608
        parts.append(bound)
    parts.append("COMMIT")
    try:
        counts = _send(db, parts)
    except (DataError, IntegrityError):
        if db.connection.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            raise  # not a refusal inside the transaction: nothing to return to
        with db.cursor() as cursor:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        return None
    return counts[1:-1]


# The mark of an UPDATE that may change no row without it being a refusal (`optional`).
_OPTIONAL = "/* may change no row */ "


def optional(statement: Statement) -> Statement:
    """`statement` (an UPDATE) as one whose changing no row is not a refusal: a committing
    batch sends it as it is instead of turning "no row" into an error."""
    text, params = statement
    return _OPTIONAL + text, params


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
