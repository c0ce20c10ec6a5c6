"""Mastodon API: announcements (staff write them in the admin), their dismissal and
reactions."""

from typing import Any

from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import iso
from storefeed.api.mastodon.routing import route
from storefeed.instance import selectors, services
from storefeed.instance.models import Announcement


def announcement_entity(
    a: Announcement, *, read: bool, reactions: list[selectors.Reaction]
) -> dict[str, Any]:
    """Mastodon's Announcement (no mentions, statuses, tags or custom emojis are linked)."""
    return {
        "id": str(a.pk),
        "content": a.content,
        "starts_at": iso(a.starts_at),
        "ends_at": iso(a.ends_at),
        "all_day": a.all_day,
        "published_at": iso(a.published_at or a.created_at),
        "updated_at": iso(a.updated_at),
        "read": read,
        "mentions": [],
        "statuses": [],
        "tags": [],
        "emojis": [],
        "reactions": [
            {"name": r.name, "count": r.count, "me": r.me, "url": None, "static_url": None}
            for r in reactions
        ],
    }


def render(account_id: int, found: list[Announcement]) -> list[dict[str, Any]]:
    read, reactions = selectors.announcement_marks(account_id=account_id, ids=[a.pk for a in found])
    return [
        announcement_entity(a, read=a.pk in read, reactions=reactions.get(a.pk, [])) for a in found
    ]


@endpoint("GET", auth="required")
def index(api: ApiRequest) -> HttpResponse:
    found = list(selectors.announcements_live())
    entities = render(api.user.pk, found)
    if not api.params.bool("with_dismissed"):
        entities = [e for e in entities if not e["read"]]
    return ok(entities)


@endpoint("POST", scope="write:accounts")
def dismiss(api: ApiRequest, announcement_id: int) -> HttpResponse:
    services.announcement_dismiss(account_id=api.user.pk, announcement_id=announcement_id)
    return ok({})


@endpoint("PUT", "DELETE", scope="write:favourites")
def reaction(api: ApiRequest, announcement_id: int, name: str) -> HttpResponse:
    services.announcement_react(
        account_id=api.user.pk,
        announcement_id=announcement_id,
        name=name,
        add=api.request.method == "PUT",
    )
    return ok({})


urlpatterns = [
    route("api/v1/announcements", index),
    route("api/v1/announcements/<id:announcement_id>/dismiss", dismiss),
    route("api/v1/announcements/<id:announcement_id>/reactions/<str:name>", reaction),
]
