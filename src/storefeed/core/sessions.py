"""Web sessions in the database, read with one plain query: every signed-in page loads its
session, and the ORM took longer to build that query than the database took to answer."""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from storefeed.core import sql


class SessionStore(DatabaseSessionStore):
    """Django's database sessions (the same table, rows and expiry), loaded without the ORM."""

    def _get_session_from_db(self) -> Any:
        found = sql.rows(
            f"SELECT session_data FROM {sql.table(Session)} "  # noqa: S608
            "WHERE session_key = %s AND expire_date > %s",
            [self.session_key, sql.datetime_param(timezone.now())],
        )
        if not found:
            self._session_key = None
            return None
        return Session(session_key=self.session_key or "", session_data=found[0][0])
