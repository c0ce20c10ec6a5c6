"""Mastodon's paging: max_id / since_id / min_id cursors in, a Link header out."""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from storefeed.api.mastodon.base import ApiRequest

DEFAULT_LIMIT = 20


def cursors(
    api: ApiRequest, *, default_limit: int = DEFAULT_LIMIT, max_limit: int = 40
) -> dict[str, Any]:
    p = api.params
    limit = p.int("limit", default_limit) or default_limit
    return {
        "max_id": p.id("max_id"),
        "since_id": p.id("since_id"),
        "min_id": p.id("min_id"),
        "limit": max(1, min(limit, max_limit)),
    }


def link_header(api: ApiRequest, ids: Sequence[int]) -> dict[str, str]:
    """`next` pages to older items (max_id), `prev` to newer ones (min_id)."""
    if not ids:
        return {}
    request = api.request
    base = request.build_absolute_uri(request.path)
    keep = {k: v for k, v in request.GET.lists() if k not in {"max_id", "since_id", "min_id"}}

    def url(**cursor: int) -> str:
        query: list[tuple[str, Any]] = [(k, v) for k, vs in keep.items() for v in vs]
        query += [(k, str(v)) for k, v in cursor.items()]
        return f"{base}?{urlencode(query)}"

    return {"Link": f'<{url(max_id=min(ids))}>; rel="next", <{url(min_id=max(ids))}>; rel="prev"'}
