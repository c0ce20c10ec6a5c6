"""Helpers for the client tests that look past Mastodon.py: the status code of the error it
raised, and requests with a client's own session and token for what its methods cannot send
(raw bodies, extra parameters) or do not show (headers, the JSON as the server wrote it)."""

from typing import Any

import pytest
import requests
from mastodon import Mastodon


def status_code(error: pytest.ExceptionInfo) -> int:
    # Mastodon.py's errors carry (message, status code, reason, error text) in args.
    return error.value.args[1]


def wire(masto: Mastodon, method: str, path: str, **kwargs: Any) -> requests.Response:
    """`method` `path` (from the server's root) with the client's session and token."""
    headers = {**kwargs.pop("headers", {})}
    if masto.access_token:
        headers["Authorization"] = f"Bearer {masto.access_token}"
    return masto.session.request(
        method, f"{masto.api_base_url}{path}", headers=headers, timeout=30, **kwargs
    )
