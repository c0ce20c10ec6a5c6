"""Mastodon API: direct-message conversations (https://docs.joinmastodon.org/methods/conversations/)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from storefeed.accounts.models import User
from storefeed.api.mastodon.base import ApiRequest, endpoint, not_found, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.filtering import filter_statuses
from storefeed.api.mastodon.pages import render_statuses
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.routing import route
from storefeed.conversations import selectors, services
from storefeed.conversations.models import AccountConversation


def conversation_entities(
    request: HttpRequest, viewer: User, rows: list[AccountConversation]
) -> list[dict[str, Any]]:
    """Conversation entities: the other participants, the newest post (rendered for the
    viewer, through their filters in the `thread` context as Mastodon does), unread."""
    r = Renderer(request)
    people = {p for row in rows for p in row.participant_ids}
    users = {u.pk: u for u in User.objects.select_related("expert_field").filter(pk__in=people)}
    ids = [row.last_status_id for row in rows if row.last_status_id is not None]
    statuses = {
        int(s["id"]): s
        for s in filter_statuses(viewer, render_statuses(request, viewer, ids), "thread")
    }
    return [
        {
            "id": str(row.pk),
            "unread": row.unread,
            "accounts": [r.account(users[p]) for p in row.participant_ids if p in users],
            "last_status": statuses.get(row.last_status_id) if row.last_status_id else None,
        }
        for row in rows
    ]


@endpoint("GET", scope="read:statuses")
def index(api: ApiRequest) -> HttpResponse:
    page = cursors(api, default_limit=20, max_limit=40)
    rows = selectors.conversations_for(account=api.user, **page)
    return ok(
        conversation_entities(api.request, api.user, rows),
        headers=link_header(api, [row.last_status_id for row in rows if row.last_status_id]),
    )


@endpoint("DELETE", scope="write:conversations")
def one(api: ApiRequest, conversation_id: int) -> HttpResponse:
    services.conversation_remove(account=api.user, conversation_id=conversation_id)
    return ok({})


@endpoint("POST", scope="write:conversations")
def read(api: ApiRequest, conversation_id: int) -> HttpResponse:
    row = services.conversation_read(account=api.user, conversation_id=conversation_id)
    found = conversation_entities(api.request, api.user, [row])
    if not found:
        raise not_found()
    return ok(found[0])


urlpatterns: list[URLPattern] = [
    route("api/v1/conversations", index),
    route("api/v1/conversations/<id:conversation_id>", one),
    route("api/v1/conversations/<id:conversation_id>/read", read),
]
