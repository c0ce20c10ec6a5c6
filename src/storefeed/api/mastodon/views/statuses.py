"""Mastodon API: statuses, scheduled statuses and polls."""

import datetime as dt
from typing import Any

from django.apps import apps
from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer, iso
from storefeed.api.mastodon.filtering import filter_statuses, with_marks
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.params import Invalid
from storefeed.api.mastodon.routing import route
from storefeed.core.errors import Conflict, DomainError, Forbidden
from storefeed.core.parse import id_or_none, parse_count, parse_datetime
from storefeed.posts import selectors, services
from storefeed.posts.models import MediaAttachment, Poll, ScheduledStatus, Status


def _one(api: ApiRequest, status_id: int | str) -> Status:
    """A status the caller may see, hydrated for them (404 otherwise)."""
    status = selectors.status_for_viewer(viewer=api.account, status_id=status_id)
    return selectors.statuses_hydrate(viewer=api.account, ids=[status.pk])[0]


def _poll_spec(api: ApiRequest) -> services.PollSpec | None:
    raw = api.params.dict("poll")
    if not raw:
        return None
    options = raw.get("options", [])
    if isinstance(options, dict):
        options = [options[k] for k in sorted(options)]
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise Invalid("poll options must be a list of strings")
    try:
        expires_in = parse_count(
            raw.get("expires_in", 86400), field="poll[expires_in]", maximum=10**9
        )
    except DomainError:
        raise Invalid("poll expires_in must be a number") from None

    def flag(name: str) -> bool:
        value = raw.get(name, False)
        return value is True or str(value).lower() in {"true", "1", "on"}

    return services.PollSpec(
        options=options,
        expires_in=expires_in,
        multiple=flag("multiple"),
        hide_totals=flag("hide_totals"),
    )


def _status_fields(api: ApiRequest) -> dict[str, Any]:
    """A post's fields; what the request leaves out comes from the author's posting defaults
    (source[privacy], source[sensitive], source[language]), as in Mastodon."""
    p = api.params
    media_ids = p.list("media_ids")
    author = api.user
    return {
        "text": p.str("status", "") or "",
        "media_ids": media_ids,
        "visibility": p.str("visibility") or author.default_visibility,
        "spoiler_text": p.str("spoiler_text", "") or "",
        "sensitive": p.bool("sensitive") if p.has("sensitive") else author.default_sensitive,
        "language": p.str("language") or author.default_language,
        "in_reply_to_id": p.str("in_reply_to_id"),
        "quote_of_id": p.str("quote_id") or p.str("quoted_status_id"),
    }


def _scheduled_media(items: list[ScheduledStatus]) -> dict[int, MediaAttachment]:
    """The images the scheduled posts keep, by id, in one query."""
    wanted = {int(m) for scheduled in items for m in scheduled.media_ids}
    return MediaAttachment.objects.in_bulk(wanted) if wanted else {}


def scheduled_entity(
    r: Renderer, scheduled: ScheduledStatus, media: dict[int, MediaAttachment] | None = None
) -> dict[str, Any]:
    """Mastodon's ScheduledStatus; `media` as `_scheduled_media` gives (fetched if None)."""
    if media is None:
        media = _scheduled_media([scheduled])
    params = scheduled.params
    return {
        "id": str(scheduled.pk),
        "scheduled_at": iso(scheduled.scheduled_at),
        "params": {
            "text": params.get("text", ""),
            "poll": params.get("poll"),
            "media_ids": [str(m) for m in scheduled.media_ids] or None,
            "sensitive": params.get("sensitive", False),
            "spoiler_text": params.get("spoiler_text") or None,
            "visibility": params.get("visibility", "public"),
            "in_reply_to_id": params.get("in_reply_to_id"),
            "language": params.get("language") or None,
            "application_id": None,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
        },
        "media_attachments": [
            r.media(media[int(m)]) for m in scheduled.media_ids if int(m) in media
        ],
    }


def _when(value: str | None) -> dt.datetime:
    return parse_datetime(value, field="scheduled_at")


@endpoint("POST", "GET", scope={"POST": "write:statuses", "GET": "read:statuses"}, auth="optional")
def statuses(api: ApiRequest) -> HttpResponse:
    r = Renderer(api.request)
    if api.request.method == "GET":  # GET /api/v1/statuses?id[]=...
        ids = [id_or_none(i) for i in api.params.list("id")]
        found = selectors.statuses_hydrate(viewer=api.account, ids=[i for i in ids if i][:40])
        return ok(r.statuses([s for s in found if selectors.can_view(api.account, s)]))
    if api.account is None:
        raise ApiError(401, "The access token is invalid")
    fields = _status_fields(api)
    poll = _poll_spec(api)
    if api.params.str("scheduled_at"):
        if api.params.list("product_ids") or api.params.list("external_item_ids"):
            raise Invalid("posts carrying products cannot be scheduled yet")
        scheduled = services.status_schedule(
            account=api.user,
            scheduled_at=_when(api.params.str("scheduled_at")),
            poll=poll,
            **fields,
        )
        return ok(scheduled_entity(r, scheduled))
    product_ids = api.params.list("product_ids")
    item_ids = api.params.list("external_item_ids")
    key = api.request.headers.get("Idempotency-Key")
    if product_ids or item_ids:
        status = _product_post(api, fields, poll, product_ids, item_ids, key)
    else:
        status = services.status_create(account=api.user, idempotency_key=key, poll=poll, **fields)
    return ok(r.status(_one(api, status.pk)))


def _product_post(
    api: ApiRequest,
    fields: dict[str, Any],
    poll: services.PollSpec | None,
    product_ids: list[Any],
    item_ids: list[Any],
    key: str | None,
) -> Status:
    """A post carrying products (Storefeed's extension: product_ids[], external_item_ids[])."""
    if not apps.is_installed("storefeed.catalog"):
        raise Invalid("this server does not sell products")
    from storefeed.catalog.services import product_post_create  # commerce may be switched off

    return product_post_create(
        account=api.user,
        product_ids=product_ids,
        external_item_ids=item_ids,
        idempotency_key=key,
        poll=poll,
        **fields,
    )


@endpoint(
    "GET",
    "PUT",
    "DELETE",
    scope={"GET": "read:statuses", "PUT": "write:statuses", "DELETE": "write:statuses"},
    auth="optional",
)
def status(api: ApiRequest, status_id: int) -> HttpResponse:
    r = Renderer(api.request)
    if api.request.method == "PUT":
        if api.account is None:
            raise ApiError(401, "The access token is invalid")
        edited = services.status_update(account=api.user, status_id=status_id, **_edit_fields(api))
        return ok(r.status(_one(api, edited.pk)))
    if api.request.method == "DELETE":
        if api.account is None:
            raise ApiError(401, "The access token is invalid")
        shown = _one(api, status_id)
        if shown.account_id != api.user.pk:
            raise ApiError(404, "Record not found")  # as Mastodon: others' posts are not yours
        services.status_delete(account=api.user, status_id=status_id)
        return ok(r.status(shown, with_source=True))
    return ok(with_marks(api.account, r.status(_one(api, status_id))))


def _edit_fields(api: ApiRequest) -> dict[str, Any]:
    """PUT /api/v1/statuses/:id replaces the post as Mastodon's does: what is left out goes
    (no media_ids: no images; no poll: no poll), except the language, which stays."""
    p = api.params
    changes = []
    for raw in p.list("media_attributes"):
        if not isinstance(raw, dict) or "id" not in raw:
            raise Invalid("media_attributes need an id")
        focus = None
        if raw.get("focus") not in (None, ""):
            try:
                x, y = (float(v) for v in str(raw["focus"]).split(","))
            except ValueError:
                raise Invalid("focus must be two numbers, as 0.5,-0.2") from None
            focus = (x, y)
        description = raw.get("description")
        changes.append(
            services.MediaChange(
                id=str(raw["id"]),
                description=str(description) if description is not None else None,
                focus=focus,
            )
        )
    return {
        "text": p.str("status", "") or "",
        "spoiler_text": p.str("spoiler_text", "") or "",
        "sensitive": p.bool("sensitive"),
        "language": p.str("language") or None,
        "media_ids": p.list("media_ids"),
        "media_changes": changes,
        "poll": _poll_spec(api),
    }


@endpoint("GET", scope="read:statuses", auth="optional")
def history(api: ApiRequest, status_id: int) -> HttpResponse:
    """The versions of a post, oldest first (one, the current, for a post never edited)."""
    r = Renderer(api.request)
    status = selectors.status_for_viewer(viewer=api.account, status_id=status_id)
    edits, media = selectors.status_history(status=status)
    return ok([r.status_edit(edit, status.account, media) for edit in edits])


@endpoint("GET", scope="read:statuses", auth="optional")
def context(api: ApiRequest, status_id: int) -> HttpResponse:
    r = Renderer(api.request)
    status = selectors.status_for_viewer(viewer=api.account, status_id=status_id)
    ancestors, descendants = selectors.status_context(viewer=api.account, status=status)
    return ok(
        {
            "ancestors": filter_statuses(api.account, r.statuses(ancestors), "thread"),
            "descendants": filter_statuses(api.account, r.statuses(descendants), "thread"),
        }
    )


@endpoint("GET", scope="read:statuses", auth="optional")
def source(api: ApiRequest, status_id: int) -> HttpResponse:
    status = selectors.status_for_viewer(viewer=api.account, status_id=status_id)
    if api.account is None or status.account_id != api.account.pk:
        raise ApiError(404, "Record not found")
    return ok({"id": str(status.pk), "text": status.text, "spoiler_text": status.spoiler_text})


def _action(service: Any, *, returns_reblog: bool = False, own_only: bool = False) -> Any:
    """POST /api/v1/statuses/:id/<action>. Repeating an action is harmless, as in Mastodon."""

    def view(api: ApiRequest, status_id: int) -> HttpResponse:
        r = Renderer(api.request)
        options = {}
        if returns_reblog:
            # A repost is public, unlisted or followers-only: as asked, else the reposter's
            # default visibility (as in Mastodon).
            options["visibility"] = api.params.str("visibility") or api.user.default_visibility
        try:
            result = service(account=api.user, status_id=status_id, **options)
        except Conflict:
            result = None
        except Forbidden as exc:
            if not own_only:
                raise
            # Pinning someone else's post is a validation error in Mastodon (422), not a 403.
            raise ApiError(422, f"Validation failed: {exc.message}") from None
        if returns_reblog:
            if result is None:
                original = _one(api, status_id)
                original = original.reblog_of or original
                result = Status.objects.filter(account=api.user, reblog_of=original).first()
                if result is None:  # the original disappeared meanwhile
                    raise ApiError(404, "Record not found")
            return ok(r.status(_one(api, result.pk)))
        return ok(r.status(_one(api, status_id)))

    return view


def _accounts_of(field: str) -> Any:
    @endpoint("GET", scope="read:accounts", auth="optional")
    def view(api: ApiRequest, status_id: int) -> HttpResponse:
        r = Renderer(api.request)
        status = selectors.status_for_viewer(viewer=api.account, status_id=status_id)
        original = status.reblog_of or status
        page = cursors(api, default_limit=40, max_limit=80)
        getter = selectors.favourited_by if field == "favourited" else selectors.reblogged_by
        accounts = getter(status=original, max_id=page["max_id"], limit=page["limit"])
        return ok([r.account(a) for a in accounts])

    return view


@endpoint("GET", scope="read:statuses")
def scheduled_list(api: ApiRequest) -> HttpResponse:
    r = Renderer(api.request)
    page = cursors(api)
    qs = ScheduledStatus.objects.filter(account=api.user)
    if page["max_id"] is not None:
        qs = qs.filter(pk__lt=page["max_id"])
    if page["since_id"] is not None:
        qs = qs.filter(pk__gt=page["since_id"])
    items = list(qs.order_by("-pk")[: page["limit"]])
    media = _scheduled_media(items)
    return ok(
        [scheduled_entity(r, s, media) for s in items],
        headers=link_header(api, [s.pk for s in items]),
    )


@endpoint(
    "GET",
    "PUT",
    "DELETE",
    scope={"GET": "read:statuses", "PUT": "write:statuses", "DELETE": "write:statuses"},
)
def scheduled_one(api: ApiRequest, scheduled_id: int) -> HttpResponse:
    r = Renderer(api.request)
    if api.request.method == "PUT":
        scheduled = services.scheduled_status_update(
            account=api.user,
            scheduled_id=scheduled_id,
            scheduled_at=_when(api.params.str("scheduled_at")),
        )
        return ok(scheduled_entity(r, scheduled))
    if api.request.method == "DELETE":
        services.scheduled_status_cancel(account=api.user, scheduled_id=scheduled_id)
        return ok({})
    found = ScheduledStatus.objects.filter(pk=scheduled_id, account=api.user).first()
    if found is None:
        raise ApiError(404, "Record not found")
    return ok(scheduled_entity(r, found))


def _poll_for(api: ApiRequest, poll_id: int) -> Poll:
    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        raise ApiError(404, "Record not found")
    status = _one(api, poll.status_id)
    return status.poll


@endpoint("GET", scope="read:statuses", auth="optional")
def poll(api: ApiRequest, poll_id: int) -> HttpResponse:
    return ok(Renderer(api.request).poll(_poll_for(api, poll_id)))


@endpoint("POST", scope="write:statuses")
def poll_votes(api: ApiRequest, poll_id: int) -> HttpResponse:
    _poll_for(api, poll_id)  # 404 before anything else for a poll one cannot see
    choices = api.params.list("choices")
    try:
        services.poll_vote(account=api.user, poll_id=poll_id, choices=choices)
    except Conflict as exc:
        raise ApiError(422, f"Validation failed: {exc.message}") from None
    return ok(Renderer(api.request).poll(_poll_for(api, poll_id)))


def _write(service: Any, **kw: Any) -> Any:
    return endpoint("POST", scope=kw.pop("scope", "write:statuses"))(_action(service, **kw))


S = "api/v1/statuses/<id:status_id>"
urlpatterns = [
    route("api/v1/statuses", statuses),
    route(S, status),
    route(f"{S}/context", context),
    route(f"{S}/source", source),
    route(f"{S}/history", history),
    route(f"{S}/reblog", _write(services.status_reblog, returns_reblog=True)),
    route(f"{S}/unreblog", _write(services.status_unreblog)),
    route(f"{S}/favourite", _write(services.status_favourite, scope="write:favourites")),
    route(f"{S}/unfavourite", _write(services.status_unfavourite, scope="write:favourites")),
    route(f"{S}/bookmark", _write(services.status_bookmark, scope="write:bookmarks")),
    route(f"{S}/unbookmark", _write(services.status_unbookmark, scope="write:bookmarks")),
    route(f"{S}/pin", _write(services.status_pin, scope="write:accounts", own_only=True)),
    route(f"{S}/unpin", _write(services.status_unpin, scope="write:accounts", own_only=True)),
    route(f"{S}/favourited_by", _accounts_of("favourited")),
    route(f"{S}/reblogged_by", _accounts_of("reblogged")),
    route("api/v1/scheduled_statuses", scheduled_list),
    route("api/v1/scheduled_statuses/<id:scheduled_id>", scheduled_one),
    route("api/v1/polls/<id:poll_id>", poll),
    route("api/v1/polls/<id:poll_id>/votes", poll_votes),
]
