"""Fixtures of the browser tests: the streaming process beside Django's live server."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

from tests.clients.conftest import database_url
from tests.streaming_process import streaming_process


@pytest.fixture
def live_stream(transactional_db, settings, tmp_path, live_server):
    """The streaming process on the test database; the live server's pages point at it, on
    the live server's own host name (the session cookie is the host's, whatever the port)."""
    from django.db import connection

    with streaming_process(
        database_url(connection.settings_dict), django_settings.SECRET_KEY, tmp_path
    ) as root:
        host = urlsplit(live_server.url).hostname
        settings.STREAMING_URL = f"ws://{host}:{urlsplit(root).port}"
        yield root
