"""`route()`: a URL pattern that answers with or without a trailing slash, never redirecting."""

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, re_path

_CONVERTERS = {"id": r"(?P<{name}>[^/]+)", "str": r"(?P<{name}>[^/]+)"}


def route(pattern: str, view: Callable[..., Any], name: str | None = None) -> URLPattern:
    """`pattern` like "api/v1/statuses/<id:status_id>/context"."""
    parts = []
    for piece in pattern.strip("/").split("/"):
        if piece.startswith("<") and piece.endswith(">"):
            kind, _, arg = piece[1:-1].partition(":")
            parts.append(_CONVERTERS[kind].format(name=arg))
        else:
            parts.append(piece.replace(".", r"\."))
    return re_path("^" + "/".join(parts) + "/?$", view, name=name)
