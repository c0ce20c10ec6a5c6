"""Mastodon API: notifications."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.filtering import filter_notifications
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.routing import route
from storefeed.notifications import selectors, services
from storefeed.notifications.models import Notification
from storefeed.posts.selectors import statuses_hydrate

# Mastodon's names for our types; "reply" is a kind of "mention" to clients.
TO_OURS = {"mention": ["mention", "reply"]}


def _ours(types: list[str]) -> list[str]:
    return [t for name in types for t in TO_OURS.get(name, [name])]


def _language(api: ApiRequest) -> str:
    """The reader's language for shop notifications' text: the request's Accept-Language if
    it sends one, else the language the account chose (`locale`), else the site's."""
    if api.request.headers.get("Accept-Language") or not api.user.locale:
        return translation.get_language() or settings.LANGUAGE_CODE
    return api.user.locale


def _render(api: ApiRequest, notes: list[Notification]) -> list[dict[str, object]]:
    r = Renderer(api.request)
    statuses = {
        s.pk: s
        for s in statuses_hydrate(
            viewer=api.user, ids=[n.status_id for n in notes if n.status_id is not None]
        )
    }
    with translation.override(_language(api)):
        rendered = [
            r.notification(n, statuses.get(n.status_id) if n.status_id is not None else None)
            for n in notes
        ]
    return filter_notifications(api.user, rendered)


@endpoint("GET", scope="read:notifications")
def index(api: ApiRequest) -> HttpResponse:
    p = api.params
    page = cursors(api, default_limit=40, max_limit=80)
    types = [str(t) for t in p.list("types")]
    notes = selectors.notifications_for(
        account=api.user,
        max_id=page["max_id"],
        since_id=page["since_id"],
        min_id=page["min_id"],
        limit=page["limit"],
        types=_ours(types) if types else None,
        # Mastodon clients do not know our "shop" type: it comes only when asked for by name.
        exclude_types=_ours([str(t) for t in p.list("exclude_types")])
        + ([] if "shop" in types else ["shop"]),
        actor_id=p.id("account_id"),
    )
    return ok(_render(api, notes), headers=link_header(api, [n.pk for n in notes]))


@endpoint("GET", scope="read:notifications")
def one(api: ApiRequest, notification_id: int) -> HttpResponse:
    note = (
        Notification.objects.select_related("actor__expert_field")
        .filter(pk=notification_id, recipient=api.user)
        .first()
    )
    if note is None:
        raise ApiError(404, "Record not found")
    shown = _render(api, [note])
    if not shown:  # its post is hidden by a filter
        raise ApiError(404, "Record not found")
    return ok(shown[0])


@endpoint("POST", scope="write:notifications")
def clear(api: ApiRequest) -> HttpResponse:
    services.notifications_clear(account=api.user)
    return ok({})


@endpoint("POST", scope="write:notifications")
def dismiss(api: ApiRequest, notification_id: int) -> HttpResponse:
    services.notification_dismiss(account=api.user, notification_id=notification_id)
    return ok({})


@endpoint("GET", scope="read:notifications")
def unread_count(api: ApiRequest) -> HttpResponse:
    return ok({"count": selectors.unread_count(account=api.user)})


urlpatterns = [
    route("api/v1/notifications", index),
    route("api/v1/notifications/clear", clear),
    route("api/v1/notifications/unread_count", unread_count),
    route("api/v1/notifications/<id:notification_id>", one),
    route("api/v1/notifications/<id:notification_id>/dismiss", dismiss),
]
