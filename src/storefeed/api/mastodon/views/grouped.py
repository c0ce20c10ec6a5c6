"""Mastodon API: grouped notifications (v2), the notification policy and notification
requests (Mastodon 4.3)."""

from typing import Any

from django.http import HttpResponse
from django.utils import translation

from storefeed.accounts.models import User
from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, not_found, ok
from storefeed.api.mastodon.entities import NOTIFICATION_TYPES, Renderer, iso
from storefeed.api.mastodon.pages import render_statuses
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.routing import route
from storefeed.api.mastodon.views.notifications import _language, _ours
from storefeed.core.parse import id_or_none
from storefeed.notifications import grouped, services
from storefeed.notifications.models import (
    GROUPED_TYPES,
    NotificationRequest,
    NotificationType,
    PolicyChoice,
)
from storefeed.notifications.policy import policy_for

# Mastodon's names of every type a client may send (others are refused as Mastodon does).
KNOWN_TYPES = {NOTIFICATION_TYPES.get(t, t) for t in NotificationType.values} | {
    "poll",
    "admin.sign_up",
    "admin.report",
    "severed_relationships",
    "moderation_warning",
    "quoted_update",
}


def _types(api: ApiRequest, name: str) -> list[str]:
    values = [str(t) for t in api.params.list(name)]
    unknown = [t for t in values if t not in KNOWN_TYPES]
    if unknown:
        raise ApiError(
            422, f"Validation failed: {name} includes unknown types: {', '.join(unknown)}"
        )
    return values


def _filters(api: ApiRequest) -> dict[str, Any]:
    """types[], exclude_types[], account_id and grouped_types[] as the selectors take them."""
    types = _types(api, "types")
    grouped_types = (
        _types(api, "grouped_types")
        if api.params.has("grouped_types") or api.params.has("grouped_types[]")
        else list(GROUPED_TYPES)
    )
    return {
        "types": _ours(types) if types else None,
        # As in v1: our "shop" type only when asked for by name.
        "exclude_types": _ours(_types(api, "exclude_types"))
        + ([] if "shop" in types else ["shop"]),
        "actor_id": api.params.id("account_id"),
        "grouped_types": _ours(grouped_types),
    }


def _partial(r: Renderer, user: User) -> dict[str, Any]:
    full = r.account_core(user)
    return {k: full[k] for k in ("id", "acct", "url", "avatar", "avatar_static", "locked", "bot")}


def _group_entity(g: grouped.Group) -> dict[str, Any]:
    data: dict[str, Any] = {
        "group_key": g.key,
        "notifications_count": g.count,
        "type": NOTIFICATION_TYPES.get(g.type, g.type),
        "most_recent_notification_id": str(g.most_recent_id),
        "page_min_id": str(g.page_min_id),
        "page_max_id": str(g.page_max_id),
        "latest_page_notification_at": iso(g.latest_page_at),
        "sample_account_ids": [str(pk) for pk in g.sample_account_ids],
    }
    if g.status_id is not None:
        data["status_id"] = str(g.status_id)
    return data


def _results(api: ApiRequest, groups: list[grouped.Group], *, partial: bool) -> dict[str, Any]:
    """`{accounts, statuses, notification_groups}`; with `partial`, the accounts beyond each
    group's newest come as `partial_accounts` (Mastodon's `expand_accounts=partial_avatars`)."""
    r = Renderer(api.request)
    wanted = list(dict.fromkeys(pk for g in groups for pk in g.sample_account_ids))
    users = User.objects.select_related("expert_field").in_bulk(wanted)
    full_ids = (
        {g.sample_account_ids[0] for g in groups if g.sample_account_ids}
        if partial
        else set(wanted)
    )
    status_ids = list(dict.fromkeys(g.status_id for g in groups if g.status_id is not None))
    entities = []
    with translation.override(_language(api)):
        for g in groups:
            entity = _group_entity(g)
            if g.type == NotificationType.SHOP and g.newest is not None:
                entity["shop"] = r.notification(g.newest)["shop"]
            entities.append(entity)
    statuses = render_statuses(api.request, api.user, status_ids)
    shown = {s["id"] for s in statuses}
    for entity in entities:
        # A post the reader may no longer see (deleted, or now followers-only) is left out.
        if "status_id" in entity and entity["status_id"] not in shown:
            entity["status_id"] = None
    data: dict[str, Any] = {
        "accounts": [r.account(users[pk]) for pk in wanted if pk in users and pk in full_ids],
        "statuses": statuses,
        "notification_groups": entities,
    }
    if partial:
        data["partial_accounts"] = [
            _partial(r, users[pk]) for pk in wanted if pk in users and pk not in full_ids
        ]
    return data


def _expand(api: ApiRequest) -> bool:
    value = api.params.str("expand_accounts", "full")
    if value not in ("full", "partial_avatars"):
        raise ApiError(422, "Validation failed: expand_accounts must be full or partial_avatars")
    return value == "partial_avatars"


@endpoint("GET", scope="read:notifications")
def index(api: ApiRequest) -> HttpResponse:
    page = cursors(api, default_limit=40, max_limit=80)
    partial = _expand(api)
    groups = grouped.notification_groups(
        account=api.user,
        max_id=page["max_id"],
        since_id=page["since_id"],
        min_id=page["min_id"],
        limit=page["limit"],
        include_filtered=api.params.bool("include_filtered"),
        **_filters(api),
    )
    ids = [i for g in groups for i in (g.page_min_id, g.page_max_id)]
    return ok(_results(api, groups, partial=partial), headers=link_header(api, ids))


def _group(api: ApiRequest, group_key: str) -> grouped.Group:
    group = grouped.group_one(account=api.user, group_key=group_key)
    if group is None:
        raise not_found()
    return group


@endpoint("GET", scope="read:notifications")
def one(api: ApiRequest, group_key: str) -> HttpResponse:
    return ok(_results(api, [_group(api, group_key)], partial=False))


@endpoint("POST", scope="write:notifications")
def dismiss(api: ApiRequest, group_key: str) -> HttpResponse:
    services.notification_group_dismiss(
        account=api.user,
        notifications=grouped.group_notifications(account=api.user, group_key=group_key),
    )
    return ok({})


@endpoint("GET", scope="read:notifications")
def group_accounts(api: ApiRequest, group_key: str) -> HttpResponse:
    _group(api, group_key)
    r = Renderer(api.request)
    return ok([r.account(u) for u in grouped.group_accounts(account=api.user, group_key=group_key)])


@endpoint("GET", scope="read:notifications")
def unread_count(api: ApiRequest) -> HttpResponse:
    limit = api.params.int("limit", 100) or 100
    count = grouped.unread_group_count(
        account=api.user, limit=max(1, min(limit, 1000)), **_filters(api)
    )
    return ok({"count": count})


# Policy and requests ---------------------------------------------------------------------


def _policy_entity(api: ApiRequest) -> dict[str, Any]:
    policy = policy_for(api.user.pk)
    requests = NotificationRequest.objects.filter(recipient=api.user)
    counted = [r.notifications_count for r in requests.only("notifications_count")]
    return {
        **{name: getattr(policy, name) for name in services.POLICY_FIELDS},
        "summary": {
            "pending_requests_count": len(counted),
            "pending_notifications_count": sum(counted),
        },
    }


@endpoint(
    "GET",
    "PATCH",
    "PUT",
    scope={
        "GET": "read:notifications",
        "PATCH": "write:notifications",
        "PUT": "write:notifications",
    },
)
def policy(api: ApiRequest) -> HttpResponse:
    if api.request.method != "GET":
        changes: dict[str, str] = {}
        for name in services.POLICY_FIELDS:
            value = api.params.str(name)
            if value is None:
                continue
            if value not in PolicyChoice.values:
                raise ApiError(
                    422,
                    f"Validation failed: {name} must be accept, filter or drop",
                    details={
                        name: [
                            {"error": "ERR_INCLUSION", "description": "is not included in the list"}
                        ]
                    },
                )
            changes[name] = value
        services.notification_policy_update(account=api.user, changes=changes)
    return ok(_policy_entity(api))


def _request_entity(
    r: Renderer, request: NotificationRequest, statuses: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": str(request.pk),
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "account": r.account(request.from_account),
        "notifications_count": str(request.notifications_count),
        "last_status": statuses.get(str(request.last_status_id)),
    }


def _render_requests(api: ApiRequest, requests: list[NotificationRequest]) -> list[dict[str, Any]]:
    r = Renderer(api.request)
    ids = [q.last_status_id for q in requests if q.last_status_id is not None]
    statuses = {s["id"]: s for s in render_statuses(api.request, api.user, ids)}
    return [_request_entity(r, q, statuses) for q in requests]


def _requests(api: ApiRequest):
    return NotificationRequest.objects.select_related(
        "from_account", "from_account__expert_field"
    ).filter(recipient=api.user)


@endpoint("GET", scope="read:notifications")
def requests_index(api: ApiRequest) -> HttpResponse:
    page = cursors(api, default_limit=40, max_limit=80)
    qs = _requests(api)
    if page["max_id"] is not None:
        qs = qs.filter(id__lt=page["max_id"])
    if page["since_id"] is not None:
        qs = qs.filter(id__gt=page["since_id"])
    if page["min_id"] is not None:
        found = list(qs.filter(id__gt=page["min_id"]).order_by("id")[: page["limit"]])[::-1]
    else:
        found = list(qs.order_by("-id")[: page["limit"]])
    return ok(_render_requests(api, found), headers=link_header(api, [q.pk for q in found]))


@endpoint("GET", scope="read:notifications")
def request_one(api: ApiRequest, request_id: int) -> HttpResponse:
    found = _requests(api).filter(pk=request_id).first()
    if found is None:
        raise not_found()
    return ok(_render_requests(api, [found])[0])


def _own_request(api: ApiRequest, request_id: int) -> None:
    if not NotificationRequest.objects.filter(recipient=api.user, pk=request_id).exists():
        raise not_found()


@endpoint("POST", scope="write:notifications")
def request_accept(api: ApiRequest, request_id: int) -> HttpResponse:
    _own_request(api, request_id)
    services.notification_requests_accept(account=api.user, request_ids=[request_id])
    return ok({})


@endpoint("POST", scope="write:notifications")
def request_dismiss(api: ApiRequest, request_id: int) -> HttpResponse:
    _own_request(api, request_id)
    services.notification_requests_dismiss(account=api.user, request_ids=[request_id])
    return ok({})


def _ids(api: ApiRequest) -> list[int]:
    raw = api.params.list("id")
    if not raw:
        raise ApiError(422, "Validation failed: id is missing")
    return [i for v in raw if (i := id_or_none(v)) is not None]


@endpoint("POST", scope="write:notifications")
def requests_accept(api: ApiRequest) -> HttpResponse:
    services.notification_requests_accept(account=api.user, request_ids=_ids(api))
    return ok({})


@endpoint("POST", scope="write:notifications")
def requests_dismiss(api: ApiRequest) -> HttpResponse:
    services.notification_requests_dismiss(account=api.user, request_ids=_ids(api))
    return ok({})


@endpoint("GET", scope="read:notifications")
def requests_merged(api: ApiRequest) -> HttpResponse:
    # Accepting a request moves its notifications at once, inside the request: never pending.
    return ok({"merged": True})


urlpatterns = [
    route("api/v2/notifications", index),
    route("api/v2/notifications/unread_count", unread_count),
    route("api/v2/notifications/policy", policy),
    route("api/v2/notifications/<str:group_key>", one),
    route("api/v2/notifications/<str:group_key>/dismiss", dismiss),
    route("api/v2/notifications/<str:group_key>/accounts", group_accounts),
    route("api/v1/notifications/requests", requests_index),
    route("api/v1/notifications/requests/accept", requests_accept),
    route("api/v1/notifications/requests/dismiss", requests_dismiss),
    route("api/v1/notifications/requests/merged", requests_merged),
    route("api/v1/notifications/requests/<id:request_id>", request_one),
    route("api/v1/notifications/requests/<id:request_id>/accept", request_accept),
    route("api/v1/notifications/requests/<id:request_id>/dismiss", request_dismiss),
]
