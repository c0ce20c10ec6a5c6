"""Mastodon API: search (v2)."""

from typing import Any

from django.db.models import Q
from django.http import HttpResponse

from storefeed.accounts.selectors import account_search
from storefeed.api.mastodon.base import ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.routing import route
from storefeed.core.text import is_valid_tag, normalize_tag
from storefeed.posts.models import Status, Tag
from storefeed.posts.selectors import can_view, statuses_hydrate, visible_q


@endpoint("GET", scope="read:search", auth="optional")
def search(api: ApiRequest) -> HttpResponse:
    p = api.params
    query = (p.str("q", "") or "").strip()
    kind = p.str("type")
    limit = max(1, min(p.int("limit", 20) or 20, 40))
    offset = min(max(0, p.int("offset", 0) or 0), 10_000)
    r = Renderer(api.request)
    result: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}
    if not query:
        return ok(result)
    if kind in (None, "accounts"):
        found = account_search(query=query.lstrip("@"), limit=limit + offset)[offset:]
        result["accounts"] = [r.account(a) for a in found]
    if kind in (None, "hashtags"):
        name = query.lstrip("#")
        if is_valid_tag(name):
            tags = Tag.objects.filter(key__startswith=normalize_tag(name)).order_by("key")
            result["hashtags"] = [r.tag(t) for t in tags[offset : offset + limit]]
    if kind in (None, "statuses") and api.account is not None:
        # Without a full-text index, search what one can see, newest first.
        ids = list(
            Status.objects.filter(visible_q(api.account), reblog_of__isnull=True)
            .filter(Q(text__icontains=query) | Q(spoiler_text__icontains=query))
            .order_by("-pk")
            .values_list("pk", flat=True)[offset : offset + limit]
        )
        statuses = statuses_hydrate(viewer=api.account, ids=ids)
        result["statuses"] = r.statuses([s for s in statuses if can_view(api.account, s)])
    return ok(result)


urlpatterns = [route("api/v2/search", search)]
