"""Counting a hot path's SQL: the statements it sends and the transactions it opens."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.core import sql

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    @property
    def work(self) -> list[str]:
        """The statements that read or write rows (no transaction control), each on its own
        even when `core.sql.batch` sent several in one round trip."""
        return [part for s in self.round_trips for part in s.split(sql.SEPARATOR)]

    @property
    def round_trips(self) -> list[str]:
        """What was sent to the database apart from transaction control: on PostgreSQL a
        `core.sql.batch` is one of these, on SQLite each of its statements is."""
        return [s for s in self.sql if not s.upper().startswith(CONTROL)]

    @property
    def transactions(self) -> int:
        """Transactions opened: BEGIN, or a SAVEPOINT where the test's own transaction turns
        a durable block into one. The hot paths open no nested savepoint, so on either
        database this is the number of commits the path would make."""
        return sum(1 for s in self.sql if s.upper().startswith(("BEGIN", "SAVEPOINT")))

    def __str__(self) -> str:
        return "\n".join(s[:140] for s in self.sql)


@contextmanager
def statements() -> Iterator[Statements]:
    counted = Statements()
    with CaptureQueriesContext(connection) as captured:
        yield counted
    counted.sql = [q["sql"] for q in captured.captured_queries]


def round_trips(sent: Statements, expected: int) -> None:
    """On PostgreSQL, `expected` round trips besides transaction control (SQLite sends each
    statement on its own)."""
    if connection.vendor == "postgresql":
        assert len(sent.round_trips) == expected, sent
