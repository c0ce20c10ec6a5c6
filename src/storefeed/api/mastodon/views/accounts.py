"""Mastodon API: accounts (https://docs.joinmastodon.org/methods/accounts/), follow requests,
mutes and blocks. Thin: parse, look up, call one service, render."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from storefeed.accounts import selectors as accounts
from storefeed.accounts.models import User
from storefeed.accounts.services import profile_update
from storefeed.api import selectors as api_selectors
from storefeed.api import services
from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, not_found, ok
from storefeed.api.mastodon.entities import Renderer, iso
from storefeed.api.mastodon.filtering import filtered_page
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.params import FALSE, TRUE
from storefeed.api.mastodon.routing import route
from storefeed.api.mastodon.views.lists import entity as list_entity
from storefeed.api.mastodon.views.timelines import featured_entity
from storefeed.core.errors import ValidationFailed
from storefeed.core.parse import id_or_none
from storefeed.posts import selectors as posts
from storefeed.posts.models import FeaturedTag
from storefeed.social import selectors as social
from storefeed.social import services as social_services
from storefeed.timelines.lists import lists_containing

# Mastodon's error codes in a 422's `details`, by the reason our services give.
ERROR_CODES = {
    "blank": "ERR_BLANK",
    "invalid": "ERR_INVALID",
    "reserved": "ERR_RESERVED",
    "taken": "ERR_TAKEN",
    "too_long": "ERR_TOO_LONG",
    "too_short": "ERR_TOO_SHORT",
    "accepted": "ERR_ACCEPTED",
    "inclusion": "ERR_INCLUSION",
}
# Our field names that Mastodon clients know by another.
FIELD_NAMES = {
    "default_visibility": "source[privacy]",
    "default_language": "source[language]",
    "fields": "fields_attributes",
}


def validation_error(exc: ValidationFailed) -> ApiError:
    """A 422 in Mastodon's shape, with `details` naming the field and its error code."""
    field = FIELD_NAMES.get(exc.field or "", exc.field or "base")
    code = ERROR_CODES.get(str(exc.details.get("reason", "")), "ERR_INVALID")
    return ApiError(
        422,
        f"Validation failed: {exc.message}",
        details={field: [{"error": code, "description": exc.message}]},
    )


def _account(account_id: int) -> User:
    user = accounts.account_by_id(account_id)
    if user is None:
        raise not_found()
    return user


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ApiError(422, f"Validation failed: {name} must be true or false")


def _relationship(api: ApiRequest, target: User) -> HttpResponse:
    rel = social.relationship(viewer=api.user, target=target)
    return ok(Renderer(api.request).relationship(rel))


def _accounts_page(api: ApiRequest, users: list[User]) -> HttpResponse:
    """A page of accounts found through edges (follows, blocks, ...): `edge_id` is the cursor."""
    renderer = Renderer(api.request)
    headers = link_header(api, [u.edge_id for u in users])  # type: ignore[attr-defined]
    return ok([renderer.account(u) for u in users], headers=headers)


def credential(api: ApiRequest, user: User) -> dict[str, Any]:
    data = Renderer(api.request).credential_account(
        user, follow_requests_count=len(social.follow_requests(target=user))
    )
    data["source"]["privacy"] = user.default_visibility
    data["source"]["sensitive"] = user.default_sensitive
    data["source"]["language"] = user.default_language or None
    return data


# Registration and the signed-in account ------------------------------------------------


@endpoint("POST", auth="app", scope="write:accounts")
def account_register(api: ApiRequest) -> HttpResponse:
    """POST /api/v1/accounts with an app token: the new account's Token, usable at once (or
    once the account is approved and its address confirmed, when those are switched on).
    `locale` is the language of the confirmation email (else the request's language)."""
    p = api.params
    try:
        agreement = _bool(p.raw("agreement", False), "agreement")
        user, token = services.account_register(
            application=api.token.application,
            username=p.str("username", "") or "",
            email=p.str("email", "") or "",
            password=p.str("password", "") or "",
            agreement=agreement,
            locale=p.str("locale", "") or get_language(),
            site_url=api.build_url("/"),
        )
    except ValidationFailed as exc:
        raise validation_error(exc) from None
    issued = user.date_joined
    return ok(
        {
            "access_token": token,
            "token_type": "Bearer",
            "scope": " ".join(services.app_scopes(api.token.application)),
            "created_at": int(issued.timestamp()),
        }
    )


@endpoint("GET", scope="profile")
def verify_credentials(api: ApiRequest) -> HttpResponse:
    return ok(credential(api, api.user))


def _fields_attributes(value: Any) -> list[dict[str, Any]]:
    """`fields_attributes` as `[0][name]=..` (a dict by index), an array, or an object."""
    if isinstance(value, dict):
        # Indexes are ASCII digits ("0", "1", ...); other keys come after them, as given.
        keys = sorted(value, key=lambda k: 0 if k == "0" else id_or_none(k) or 1 << 30)
        items = [value[k] for k in keys]
    elif isinstance(value, list):
        items = value
    else:
        raise ApiError(422, "Validation failed: fields_attributes must be a list of fields")
    for item in items:
        if not isinstance(item, dict) or any(
            isinstance(item.get(k), (dict, list)) for k in ("name", "value")
        ):
            raise ApiError(
                422, "Validation failed: each of fields_attributes needs a name and a value"
            )
    return items


def profile_changes(p: Any) -> dict[str, Any]:
    """What update_credentials and PATCH /api/v1/profile change, parsed (absent: None)."""
    return {
        "display_name": p.str("display_name"),
        "note": p.str("note"),
        "avatar": p.file("avatar"),
        "header": p.file("header"),
        "locked": p.bool("locked") if p.has("locked") else None,
        "fields": _fields_attributes(p.raw("fields_attributes"))
        if p.has("fields_attributes")
        else None,
        **{
            flag: p.bool(flag) if p.has(flag) else None
            for flag in ("bot", "discoverable", "hide_collections")
        },
    }


@endpoint("PATCH", "POST", scope="write:accounts")
def update_credentials(api: ApiRequest) -> HttpResponse:
    p = api.params
    source = p.dict("source")
    for name in ("privacy", "language"):
        if isinstance(source.get(name), (dict, list)):
            raise ApiError(422, f"Validation failed: source[{name}] must be a string")
    changes: dict[str, Any] = {
        **profile_changes(p),
        "default_visibility": source.get("privacy"),
        "default_sensitive": _bool(source["sensitive"], "source[sensitive]")
        if "sensitive" in source
        else None,
        "default_language": source.get("language"),
    }
    try:
        user = profile_update(account=api.user, **changes)
    except ValidationFailed as exc:
        raise validation_error(exc) from None
    return ok(credential(api, user))


# Any account ---------------------------------------------------------------------------


@endpoint("GET", auth="optional", scope="read:accounts")
def account_get(api: ApiRequest, account_id: int) -> HttpResponse:
    return ok(Renderer(api.request).account(_account(account_id)))


@endpoint("GET", auth="optional", scope="read:accounts")
def account_lookup(api: ApiRequest) -> HttpResponse:
    name = accounts.local_username(
        api.params.str("acct", "") or "", accounts.local_hosts(api.request.get_host())
    )
    user = accounts.account_by_username(name) if name else None
    if user is None:
        raise not_found()
    return ok(Renderer(api.request).account(user))


@endpoint("GET", auth="optional", scope="read:statuses")
def account_statuses(api: ApiRequest, account_id: int) -> HttpResponse:
    user = _account(account_id)
    p = api.params
    page = cursors(api)
    ids = posts.account_statuses_ids(
        viewer=api.account,
        account=user,
        max_id=page["max_id"],
        since_id=page["since_id"],
        min_id=page["min_id"],
        limit=page["limit"],
        exclude_replies=p.bool("exclude_replies"),
        exclude_reblogs=p.bool("exclude_reblogs"),
        only_media=p.bool("only_media"),
        pinned=p.bool("pinned"),
        tagged=p.str("tagged") or None,
    )
    shown, statuses = filtered_page(api.request, api.account, ids, "account")
    return ok(statuses, headers=link_header(api, shown))


@endpoint("GET", auth="optional", scope="read:accounts")
def account_followers(api: ApiRequest, account_id: int) -> HttpResponse:
    user = _account(account_id)
    if not social.collections_visible(account=user, viewer=api.account):
        return ok([])
    page = cursors(api, default_limit=40, max_limit=80)
    found = social.followers(account=user, max_id=page["max_id"], limit=page["limit"])
    return _accounts_page(api, found)


@endpoint("GET", auth="optional", scope="read:accounts")
def account_following(api: ApiRequest, account_id: int) -> HttpResponse:
    user = _account(account_id)
    if not social.collections_visible(account=user, viewer=api.account):
        return ok([])
    page = cursors(api, default_limit=40, max_limit=80)
    found = social.following(account=user, max_id=page["max_id"], limit=page["limit"])
    return _accounts_page(api, found)


@endpoint("GET", auth="optional", scope="read:accounts")
def account_featured_tags(api: ApiRequest, account_id: int) -> HttpResponse:
    user = _account(account_id)
    rows = FeaturedTag.objects.filter(account=user).select_related("tag", "account")
    r = Renderer(api.request)
    return ok([featured_entity(r, row) for row in rows.order_by("-pk")])


@endpoint("GET", scope="read:lists")
def account_lists(api: ApiRequest, account_id: int) -> HttpResponse:
    user = _account(account_id)
    return ok([list_entity(i) for i in lists_containing(owner=api.user, account=user)])


# The most accounts one call may ask for (`GET /api/v1/accounts`, familiar_followers).
MANY_ACCOUNTS = 40


def _ids(api: ApiRequest) -> list[int]:
    """The `id[]` parameter as account ids, each once, in the order given; an id that is not
    a number matches no account. More than MANY_ACCOUNTS: 422."""
    ids: list[int] = []
    for raw in api.params.list("id"):
        if isinstance(raw, (dict, list)):
            raise ApiError(422, "Validation failed: id[] must be a list of account ids")
        try:
            ids.append(int(str(raw)))
        except ValueError:
            continue
    ids = [i for i in dict.fromkeys(ids) if 0 < i < 1 << 63]
    if len(ids) > MANY_ACCOUNTS:
        raise ApiError(422, f"Validation failed: at most {MANY_ACCOUNTS} accounts at once")
    return ids


@endpoint("GET", auth="optional", scope="read:accounts")
def accounts_many(api: ApiRequest) -> HttpResponse:
    """GET /api/v1/accounts?id[]=: several accounts at once, in the order asked; unknown ids
    are left out. One query for the accounts."""
    renderer = Renderer(api.request)
    return ok([renderer.account(u) for u in accounts.accounts_by_ids(_ids(api))])


@csrf_exempt  # as every endpoint: token-authenticated, never a session's form
def accounts_root(request: HttpRequest) -> HttpResponse:
    """/api/v1/accounts: GET reads several accounts, POST registers one."""
    return accounts_many(request) if request.method == "GET" else account_register(request)


@endpoint("GET", scope="read:follows")
def familiar_followers(api: ApiRequest) -> HttpResponse:
    """For each account asked about (as Mastodon: those that exist, once each, in the order
    asked), the accounts you follow that follow it: `{"id", "accounts"}`, an empty list when
    there are none."""
    users = accounts.accounts_by_ids(_ids(api))
    found = social.familiar_followers(viewer=api.user, target_ids=[u.pk for u in users])
    renderer = Renderer(api.request)
    return ok(
        [
            {"id": str(u.pk), "accounts": [renderer.account(f) for f in found.get(u.pk, [])]}
            for u in users
        ]
    )


@endpoint("GET", scope="read:follows")
def relationships(api: ApiRequest) -> HttpResponse:
    # An id that is not one (core.parse.id_or_none) matches no account.
    ids = [i for i in dict.fromkeys(id_or_none(raw) for raw in api.params.list("id")) if i][:80]
    found = social.relationships(viewer=api.user, target_ids=ids)
    renderer = Renderer(api.request)
    return ok([renderer.relationship(found[i]) for i in ids if i in found])


@endpoint("GET", scope="read:accounts")
def account_search(api: ApiRequest) -> HttpResponse:
    p = api.params
    limit = max(1, min(p.int("limit", 40) or 40, 80))
    offset = max(0, p.int("offset", 0) or 0)
    query = p.str("q", "") or ""
    if "@" in query.strip().lstrip("@"):
        # A full address (`user@domain`): ours is searched by its username; another
        # domain's accounts are not here (no federation).
        query = accounts.local_username(query, accounts.local_hosts(api.request.get_host())) or ""
    found = accounts.account_search(query=query, limit=min(offset + limit, 80))
    found = found[offset:]
    if p.bool("following"):
        followed = set(social.following_ids(api.user.pk))
        found = [u for u in found if u.pk in followed]
    renderer = Renderer(api.request)
    return ok([renderer.account(u) for u in found])


# Follows, blocks, mutes -------------------------------------------------------------------


@endpoint("POST", scope="write:follows")
def account_follow(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    p = api.params
    # Following (or asking) again is not an error in Mastodon: it changes the options it
    # names on the follow or the request, leaves the others alone, and answers with the state.
    social_services.follow_create(
        follower=api.user,
        target=target,
        show_reblogs=p.bool("reblogs") if p.has("reblogs") else None,
        notify=p.bool("notify") if p.has("notify") else None,
        update_existing=True,
    )
    return _relationship(api, target)


@endpoint("POST", scope="write:follows")
def account_unfollow(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    social_services.follow_delete(follower=api.user, target=target)
    return _relationship(api, target)


@endpoint("POST", scope="write:follows")
def account_remove_from_followers(api: ApiRequest, account_id: int) -> HttpResponse:
    """Make the account stop following you (as if it had unfollowed)."""
    follower = _account(account_id)
    social_services.follower_remove(account=api.user, follower=follower)
    return _relationship(api, follower)


@endpoint("POST", scope="write:blocks")
def account_block(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    social_services.block_create(account=api.user, target=target)
    return _relationship(api, target)


@endpoint("POST", scope="write:blocks")
def account_unblock(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    social_services.block_delete(account=api.user, target=target)
    return _relationship(api, target)


@endpoint("POST", scope="write:mutes")
def account_mute(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    social_services.mute_create(
        account=api.user,
        target=target,
        hide_notifications=api.params.bool("notifications", True),
        # Seconds; 0 or absent: until undone.
        duration=api.params.int("duration"),
    )
    return _relationship(api, target)


@endpoint("POST", scope="write:mutes")
def account_unmute(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    social_services.mute_delete(account=api.user, target=target)
    return _relationship(api, target)


@endpoint("POST", scope="write:accounts")
def account_note(api: ApiRequest, account_id: int) -> HttpResponse:
    """A private note about the account (`comment`; empty or absent removes it)."""
    target = _account(account_id)
    social_services.account_note_set(
        account=api.user, target=target, comment=api.params.str("comment", "") or ""
    )
    return _relationship(api, target)


@endpoint("POST", scope="write:accounts")
def account_endorse(api: ApiRequest, account_id: int) -> HttpResponse:
    """Feature a followed account on your profile (also `/pin`, its older name)."""
    target = _account(account_id)
    social_services.endorsement_create(account=api.user, target=target)
    return _relationship(api, target)


@endpoint("POST", scope="write:accounts")
def account_unendorse(api: ApiRequest, account_id: int) -> HttpResponse:
    target = _account(account_id)
    social_services.endorsement_delete(account=api.user, target=target)
    return _relationship(api, target)


def _endorsed_page(api: ApiRequest, user: User) -> HttpResponse:
    page = cursors(api, default_limit=40, max_limit=80)
    found = social.endorsed(account=user, max_id=page["max_id"], limit=page["limit"])
    return _accounts_page(api, found)


@endpoint("GET", scope="read:accounts")
def endorsements(api: ApiRequest) -> HttpResponse:
    """The accounts you endorse."""
    return _endorsed_page(api, api.user)


@endpoint("GET", auth="optional", scope="read:accounts")
def account_endorsements(api: ApiRequest, account_id: int) -> HttpResponse:
    """The accounts an account endorses, as its profile shows them."""
    return _endorsed_page(api, _account(account_id))


@endpoint("GET", scope="read:follows")
def follow_requests(api: ApiRequest) -> HttpResponse:
    page = cursors(api, default_limit=40, max_limit=80)
    # Newest first, so that the Link header's max_id pages on to older requests.
    pending = sorted(social.follow_requests(target=api.user), key=lambda r: -r.pk)
    if page["max_id"] is not None:
        pending = [r for r in pending if r.pk < page["max_id"]]
    pending = pending[: page["limit"]]
    renderer = Renderer(api.request)
    return ok(
        [renderer.account(r.account) for r in pending],
        headers=link_header(api, [r.pk for r in pending]),
    )


@endpoint("POST", scope="write:follows")
def follow_request_authorize(api: ApiRequest, account_id: int) -> HttpResponse:
    requester = _account(account_id)
    social_services.follow_request_authorize(target=api.user, account=requester)
    return _relationship(api, requester)


@endpoint("POST", scope="write:follows")
def follow_request_reject(api: ApiRequest, account_id: int) -> HttpResponse:
    requester = _account(account_id)
    social_services.follow_request_reject(target=api.user, account=requester)
    return _relationship(api, requester)


@endpoint("GET", scope="read:mutes")
def mutes(api: ApiRequest) -> HttpResponse:
    page = cursors(api, default_limit=40, max_limit=80)
    found = api_selectors.muted_accounts(
        account=api.user, max_id=page["max_id"], limit=page["limit"]
    )
    renderer = Renderer(api.request)
    headers = link_header(api, [u.edge_id for u in found])  # type: ignore[attr-defined]
    # As Mastodon: each muted account carries the end of its mute (null: until undone).
    return ok(
        [
            {**renderer.account(u), "mute_expires_at": iso(u.mute_expires_at)}  # type: ignore[attr-defined]
            for u in found
        ],
        headers=headers,
    )


@endpoint("GET", scope="read:blocks")
def blocks(api: ApiRequest) -> HttpResponse:
    page = cursors(api, default_limit=40, max_limit=80)
    found = api_selectors.blocked_accounts(
        account=api.user, max_id=page["max_id"], limit=page["limit"]
    )
    return _accounts_page(api, found)


ACCOUNT = "api/v1/accounts/<id:account_id>"

urlpatterns: list[URLPattern] = [
    route("api/v1/accounts", accounts_root),
    # Named paths first: the id pattern would match them.
    route("api/v1/accounts/verify_credentials", verify_credentials),
    route("api/v1/accounts/update_credentials", update_credentials),
    route("api/v1/accounts/lookup", account_lookup),
    route("api/v1/accounts/relationships", relationships),
    route("api/v1/accounts/search", account_search),
    route("api/v1/accounts/familiar_followers", familiar_followers),
    route(ACCOUNT, account_get),
    route(f"{ACCOUNT}/statuses", account_statuses),
    route(f"{ACCOUNT}/followers", account_followers),
    route(f"{ACCOUNT}/following", account_following),
    route(f"{ACCOUNT}/featured_tags", account_featured_tags),
    route(f"{ACCOUNT}/lists", account_lists),
    route(f"{ACCOUNT}/follow", account_follow),
    route(f"{ACCOUNT}/unfollow", account_unfollow),
    route(f"{ACCOUNT}/remove_from_followers", account_remove_from_followers),
    route(f"{ACCOUNT}/block", account_block),
    route(f"{ACCOUNT}/unblock", account_unblock),
    route(f"{ACCOUNT}/mute", account_mute),
    route(f"{ACCOUNT}/unmute", account_unmute),
    route(f"{ACCOUNT}/note", account_note),
    route(f"{ACCOUNT}/endorse", account_endorse),
    route(f"{ACCOUNT}/unendorse", account_unendorse),
    route(f"{ACCOUNT}/pin", account_endorse),
    route(f"{ACCOUNT}/unpin", account_unendorse),
    route(f"{ACCOUNT}/endorsements", account_endorsements),
    route("api/v1/endorsements", endorsements),
    route("api/v1/follow_requests", follow_requests),
    route("api/v1/follow_requests/<id:account_id>/authorize", follow_request_authorize),
    route("api/v1/follow_requests/<id:account_id>/reject", follow_request_reject),
    route("api/v1/mutes", mutes),
    route("api/v1/blocks", blocks),
]
