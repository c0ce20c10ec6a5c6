"""Mastodon API: lists."""

from typing import Any

from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.routing import route
from storefeed.timelines import lists
from storefeed.timelines.models import List


def entity(item: List) -> dict[str, Any]:
    return {
        "id": str(item.pk),
        "title": item.title,
        "replies_policy": item.replies_policy,
        "exclusive": item.exclusive,
    }


@endpoint("GET", "POST", scope={"GET": "read:lists", "POST": "write:lists"})
def index(api: ApiRequest) -> HttpResponse:
    if api.request.method == "POST":
        item = lists.list_create(
            owner=api.user,
            title=api.params.str("title", "") or "",
            replies_policy=api.params.str("replies_policy"),
            exclusive=api.params.bool("exclusive"),
        )
        return ok(entity(item))
    return ok([entity(i) for i in lists.lists_for(owner=api.user)])


@endpoint(
    "GET",
    "PUT",
    "DELETE",
    scope={"GET": "read:lists", "PUT": "write:lists", "DELETE": "write:lists"},
)
def one(api: ApiRequest, list_id: int) -> HttpResponse:
    if api.request.method == "PUT":
        item = lists.list_update(
            owner=api.user,
            list_id=list_id,
            title=api.params.str("title"),
            replies_policy=api.params.str("replies_policy"),
            exclusive=api.params.bool("exclusive") if api.params.has("exclusive") else None,
        )
        return ok(entity(item))
    if api.request.method == "DELETE":
        lists.list_delete(owner=api.user, list_id=list_id)
        return ok({})
    return ok(entity(lists.list_for_owner(owner=api.user, list_id=list_id)))


@endpoint(
    "GET",
    "POST",
    "DELETE",
    scope={"GET": "read:lists", "POST": "write:lists", "DELETE": "write:lists"},
)
def accounts(api: ApiRequest, list_id: int) -> HttpResponse:
    ids = [str(i) for i in api.params.list("account_ids")]
    if api.request.method == "POST":
        lists.list_accounts_add(owner=api.user, list_id=list_id, account_ids=list(ids))
        return ok({})
    if api.request.method == "DELETE":
        lists.list_accounts_remove(owner=api.user, list_id=list_id, account_ids=list(ids))
        return ok({})
    r = Renderer(api.request)
    limit = api.params.int("limit", 40) or 40
    return ok(
        [r.account(a) for a in lists.list_members(owner=api.user, list_id=list_id, limit=limit)]
    )


urlpatterns = [
    route("api/v1/lists", index),
    route("api/v1/lists/<id:list_id>", one),
    route("api/v1/lists/<id:list_id>/accounts", accounts),
]
