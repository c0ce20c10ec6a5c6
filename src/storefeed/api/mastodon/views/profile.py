"""Mastodon API: the signed-in account's own profile (https://docs.joinmastodon.org/methods/
profile/): GET and PATCH /api/v1/profile (Mastodon 4.6's Profile entity, raw values for an
editing screen) and removing the avatar or the header. Thin: parse, call one service, render."""

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern

from storefeed.accounts.models import User
from storefeed.accounts.services import profile_image_delete, profile_update
from storefeed.api.mastodon.base import ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.routing import route
from storefeed.api.mastodon.views.accounts import credential, profile_changes, validation_error
from storefeed.api.mastodon.views.timelines import featured_entity
from storefeed.core.errors import ValidationFailed
from storefeed.posts.models import FeaturedTag


def profile_entity(renderer: Renderer, user: User) -> dict[str, Any]:
    """Mastodon's Profile: what the account's owner edits, as entered (the bio and fields
    unrendered; the images null when unset, where the Account gives the default ones)."""
    avatar, header = renderer.file_url(user.avatar), renderer.file_url(user.header)
    featured = FeaturedTag.objects.filter(account=user).select_related("tag", "account")
    return {
        "id": str(user.pk),
        "display_name": user.display_name,
        "note": user.note,
        "fields": [
            {"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
            for f in user.fields or []
        ],
        "avatar": avatar,
        "avatar_static": avatar,
        # Descriptions of the images are not kept yet.
        "avatar_description": "",
        "header": header,
        "header_static": header,
        "header_description": "",
        "locked": user.locked,
        "bot": user.bot,
        "hide_collections": user.hide_collections,
        "discoverable": user.discoverable,
        "indexable": True,
        "show_media": True,
        "show_media_replies": True,
        "show_featured": True,
        "attribution_domains": [],
        "featured_tags": [featured_entity(renderer, row) for row in featured.order_by("-pk")],
    }


@endpoint("GET", "PATCH", scope={"GET": "profile", "PATCH": "write:accounts"})
def profile(api: ApiRequest) -> HttpResponse:
    """GET: the Profile. PATCH: change it (the parameters of update_credentials, without
    `source`), every value checked before anything is written; answers the new Profile."""
    user = api.user
    if api.request.method == "PATCH":
        try:
            user = profile_update(account=api.user, **profile_changes(api.params))
        except ValidationFailed as exc:
            raise validation_error(exc) from None
    return ok(profile_entity(Renderer(api.request), user))


@endpoint("DELETE", scope="write:accounts")
def profile_avatar_delete(api: ApiRequest) -> HttpResponse:
    """Remove the avatar (not an error without one); answers the CredentialAccount."""
    return ok(credential(api, profile_image_delete(account=api.user, which="avatar")))


@endpoint("DELETE", scope="write:accounts")
def profile_header_delete(api: ApiRequest) -> HttpResponse:
    return ok(credential(api, profile_image_delete(account=api.user, which="header")))


urlpatterns: list[URLPattern] = [
    route("api/v1/profile", profile),
    route("api/v1/profile/avatar", profile_avatar_delete),
    route("api/v1/profile/header", profile_header_delete),
]
