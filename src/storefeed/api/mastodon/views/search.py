"""Mastodon API: search (v2), with full-text search of posts (posts/search.py)."""

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import Resolver404, resolve

from storefeed.accounts.models import User
from storefeed.accounts.selectors import account_by_username, account_search
from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.pages import render_statuses
from storefeed.api.mastodon.routing import route
from storefeed.core import fulltext
from storefeed.core.errors import NotFound
from storefeed.core.text import is_valid_tag, normalize_tag
from storefeed.posts.models import Status, Tag
from storefeed.posts.search import MAX_OFFSET, status_search_ids
from storefeed.posts.selectors import status_for_viewer
from storefeed.social.selectors import following_ids

TYPES = ("accounts", "hashtags", "statuses")


def _resolved(api: ApiRequest, query: str) -> tuple[list[User], list[Status]]:
    """`resolve=true`: a link to one of this site's profiles or posts, or `@name@this.host`,
    is looked up directly (there is no federation to fetch from)."""
    parts = urlsplit(query)
    host = api.request.get_host()
    if parts.scheme in ("http", "https") and parts.netloc == host:
        try:
            match = resolve(parts.path)
        except Resolver404:
            return [], []
        if match.url_name == "status" and "status_id" in match.kwargs:
            try:
                status = status_for_viewer(viewer=api.account, status_id=match.kwargs["status_id"])
            except NotFound:
                return [], []
            return [], [status]
        if match.url_name == "profile" and "username" in match.kwargs:
            found = account_by_username(match.kwargs["username"])
            return ([found] if found else []), []
        return [], []
    name, _at, domain = query.lstrip("@").partition("@")
    if query.startswith("@") and domain and domain == host:
        found = account_by_username(name)
        return ([found] if found else []), []
    return [], []


@endpoint("GET", scope="read:search", auth="optional")
def search(api: ApiRequest) -> HttpResponse:
    p = api.params
    raw = (p.str("q", "") or "").strip()
    kind = p.str("type")
    if kind not in (None, "", *TYPES):
        raise ApiError(422, "type must be one of accounts, hashtags, statuses")
    limit = max(1, min(p.int("limit", 20) or 20, 40))
    offset = p.int("offset", 0) or 0
    if offset < 0:
        raise ApiError(422, "offset must be 0 or more")
    if api.account is None and p.has("offset") and offset:
        raise ApiError(401, "Search queries pagination is not supported without authentication")
    resolve_links = p.bool("resolve")
    if api.account is None and resolve_links:
        raise ApiError(
            401,
            "Search queries that resolve remote resources are not supported without authentication",
        )
    following = p.bool("following")
    account_id = p.id("account_id")
    max_id, min_id = p.id("max_id"), p.id("min_id")
    query = fulltext.parse(raw)  # too long: 422 with the field
    raw = query.text  # without control characters
    r = Renderer(api.request)
    result: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}
    if not raw or offset > MAX_OFFSET:
        return ok(result)
    if resolve_links:
        accounts, statuses = _resolved(api, raw)
        if accounts or statuses:
            result["accounts"] = [r.account(a) for a in accounts if kind in (None, "", "accounts")]
            shown = [s for s in statuses if kind in (None, "", "statuses")]
            result["statuses"] = render_statuses(api.request, api.account, [s.pk for s in shown])
            return ok(result)
    if kind in (None, "", "accounts") and account_id is None:
        among = set(following_ids(api.account.pk)) if following and api.account else None
        found = account_search(query=raw.lstrip("@"), limit=limit + offset, among=among)
        result["accounts"] = [r.account(a) for a in found[offset:]]
    if kind in (None, "", "hashtags") and account_id is None:
        name = raw.lstrip("#＃")
        if is_valid_tag(name):
            tags = Tag.objects.filter(key__startswith=normalize_tag(name)).order_by("key")
            result["hashtags"] = [r.tag(t) for t in tags[offset : offset + limit]]
    # As Mastodon: searching posts needs a signed-in account.
    if kind in (None, "", "statuses") and api.account is not None:
        ids = status_search_ids(
            viewer=api.account,
            query=query,
            account_id=account_id,
            following=following,
            max_id=max_id,
            min_id=min_id,
            offset=offset,
            limit=limit,
        )
        # Assembled from cached parts, as the timelines are (api/mastodon/pages.py).
        result["statuses"] = render_statuses(api.request, api.account, ids)
    return ok(result)


urlpatterns = [route("api/v2/search", search)]
