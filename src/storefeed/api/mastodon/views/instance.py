"""Mastodon API: discovery (instance v1 and v2, nodeinfo, webfinger, health) and the empty but
valid answers to what clients ask for at start-up that Storefeed does not have yet."""

from email.utils import parseaddr
from html import escape
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern
from django.views.decorators.http import require_GET

import storefeed
from storefeed.accounts.models import User
from storefeed.accounts.selectors import account_by_username
from storefeed.api import push
from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer, iso
from storefeed.api.mastodon.routing import route
from storefeed.core import events
from storefeed.instance import selectors as instance_selectors
from storefeed.posts import video
from storefeed.posts.selectors import site_stats
from storefeed.timelines import markers as marker_service
from storefeed.timelines.models import Marker, MarkerTimeline

VERSION = f"4.3.0 (compatible; Storefeed {storefeed.__version__})"
SOURCE_URL = "https://github.com/storefeed/storefeed"
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
VIDEO_TYPES = ["video/mp4", "video/webm", "video/quicktime"]
MAX_FEATURED_TAGS = 10
MAX_PINNED_STATUSES = 5
POLL_LIMITS = {
    "max_options": 4,
    "max_characters_per_option": 50,
    "min_expiration": 300,
    "max_expiration": 2629746,
}


def _title() -> str:
    return getattr(settings, "INSTANCE_TITLE", "Storefeed")


def _description() -> str:
    return getattr(
        settings,
        "INSTANCE_DESCRIPTION",
        "A microblog in which any post can be a shop window.",
    )


def _contact_email() -> str:
    """STOREFEED_CONTACT_EMAIL, else the address the site's mail comes from."""
    if settings.INSTANCE_CONTACT_EMAIL:
        return str(settings.INSTANCE_CONTACT_EMAIL)
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _domain(request: HttpRequest) -> str:
    return request.get_host()


def _streaming(request: HttpRequest) -> str | None:
    return events.streaming_url(request.is_secure(), request.get_host())


def _statuses_config() -> dict[str, Any]:
    return {
        "max_characters": settings.STATUS_MAX_CHARACTERS,
        "max_media_attachments": settings.STATUS_MAX_MEDIA,
        "characters_reserved_per_url": 23,
    }


def _media_config() -> dict[str, Any]:
    return {
        "supported_mime_types": IMAGE_TYPES + VIDEO_TYPES,
        "image_size_limit": settings.MEDIA_MAX_IMAGE_BYTES,
        "image_matrix_limit": settings.MEDIA_MAX_IMAGE_PIXELS,
        # Videos (posts/video.py): transcoded in the worker, at most 60 frames a second out.
        "video_size_limit": settings.MEDIA_MAX_VIDEO_BYTES,
        "video_frame_rate_limit": video.MAX_SOURCE_FRAME_RATE,
        "video_matrix_limit": video.MAX_VIDEO_PIXELS,
    }


def _usage() -> dict[str, int]:
    """The counts the worker last computed (one row by primary key), never a COUNT here."""
    stats = site_stats()
    return {
        "total": stats.users,
        "month": stats.active_month,
        "halfyear": stats.active_halfyear,
        "posts": stats.statuses,
    }


def _contact_account(renderer: Renderer) -> dict[str, Any] | None:
    """STOREFEED_CONTACT_ACCOUNT's account, else the first staff account."""
    named = settings.INSTANCE_CONTACT_ACCOUNT
    account = account_by_username(named) if named else None
    if account is None:
        account = User.objects.filter(is_active=True, is_staff=True).order_by("pk").first()
    return renderer.account(account) if account is not None else None


def _rules() -> list[dict[str, Any]]:
    """Mastodon 4.4's Rule, with the Chinese wording under `translations`."""
    return [
        {
            "id": str(rule["id"]),
            "text": rule["text"],
            "hint": rule["hint"],
            "translations": (
                {"zh-CN": {"text": rule["text_zh"], "hint": rule["hint_zh"]}}
                if rule["text_zh"]
                else {}
            ),
        }
        for rule in instance_selectors.rules()
    ]


@endpoint("GET", auth="none")
def instance_v1(api: ApiRequest) -> HttpResponse:
    renderer = Renderer(api.request)
    usage = _usage()
    return ok(
        {
            "uri": _domain(api.request),
            "title": _title(),
            "short_description": _description(),
            "description": _description(),
            "email": _contact_email(),
            "version": VERSION,
            "urls": {"streaming_api": _streaming(api.request)},
            "stats": {
                "user_count": usage["total"],
                "status_count": usage["posts"],
                "domain_count": 0,
            },
            "thumbnail": None,
            "languages": ["en", "zh"],
            "registrations": settings.REGISTRATIONS != "closed",
            "approval_required": settings.REGISTRATIONS == "approval",
            "invites_enabled": False,
            "configuration": {
                "accounts": {"max_featured_tags": MAX_FEATURED_TAGS},
                "statuses": _statuses_config(),
                "media_attachments": _media_config(),
                "polls": POLL_LIMITS,
            },
            "contact_account": _contact_account(renderer),
            "rules": _rules(),
        }
    )


@endpoint("GET", auth="none")
def instance_v2(api: ApiRequest) -> HttpResponse:
    renderer = Renderer(api.request)
    usage = _usage()
    return ok(
        {
            "domain": _domain(api.request),
            "title": _title(),
            "version": VERSION,
            "source_url": SOURCE_URL,
            "description": _description(),
            "usage": {"users": {"active_month": usage["month"]}},
            "thumbnail": {"url": renderer.url("/static/web/img/header.png")},
            "icon": [],
            "languages": ["en", "zh"],
            "configuration": {
                "urls": {"streaming": _streaming(api.request), "status": None},
                "vapid": {"public_key": push.server_public_key()},
                "accounts": {
                    "max_featured_tags": MAX_FEATURED_TAGS,
                    "max_pinned_statuses": MAX_PINNED_STATUSES,
                },
                "statuses": _statuses_config(),
                "media_attachments": _media_config(),
                "polls": POLL_LIMITS,
                "translation": {"enabled": False},
            },
            "registrations": {
                "enabled": settings.REGISTRATIONS != "closed",
                "approval_required": settings.REGISTRATIONS == "approval",
                "message": None,
                "url": None,
            },
            "api_versions": {"mastodon": 2},
            "contact": {
                "email": _contact_email(),
                "account": _contact_account(renderer),
            },
            "rules": _rules(),
        }
    )


@endpoint("GET", auth="none")
def empty_list(api: ApiRequest) -> HttpResponse:
    """Public start-up calls Storefeed has nothing for yet: an empty array."""
    return ok([])


@endpoint("GET", auth="none")
def rules(api: ApiRequest) -> HttpResponse:
    return ok(_rules())


@endpoint("GET", auth="none")
def extended_description(api: ApiRequest) -> HttpResponse:
    about = instance_selectors.about()
    return ok(
        {
            "updated_at": iso(about.updated_at),
            "content": about.extended_description or f"<p>{escape(_description())}</p>",
        }
    )


# The languages Storefeed is written in and its posts are cut into words for (ISO 639-1,
# with the names Mastodon gives them).
LANGUAGES = [["en", "English", "English"], ["zh", "Chinese", "中文"]]


@endpoint("GET", auth="none")
def languages(api: ApiRequest) -> HttpResponse:
    return ok([{"code": code, "name": name} for code, name, _native in LANGUAGES])


@endpoint("GET", auth="none")
def translation_languages(api: ApiRequest) -> HttpResponse:
    # No translation service is configured: no language translates into another.
    return ok({})


@endpoint("GET", auth="none")
def activity(api: ApiRequest) -> HttpResponse:
    return ok(instance_selectors.activity())


def _marker(marker: Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": iso(marker.updated_at),
    }


@endpoint("GET", "POST", scope={"GET": "read:statuses", "POST": "write:statuses"})
def markers(api: ApiRequest) -> HttpResponse:
    """Mastodon's markers: GET the saved positions of `timeline[]`; POST
    `home[last_read_id]` and/or `notifications[last_read_id]` to save them."""
    if api.request.method == "GET":
        names = [str(t) for t in api.params.list("timeline")]
        found = marker_service.markers_for(account=api.user, timelines=names)
        return ok({m.timeline: _marker(m) for m in found})
    positions: dict[str, object] = {}
    for name in api.params.names():
        value = api.params.raw(name)
        # Each timeline comes as an object (`home[last_read_id]=...`); other plain
        # parameters are not positions and are left alone, as in Mastodon.
        if not isinstance(value, dict) and name not in MarkerTimeline.values:
            continue
        if not isinstance(value, dict) or "last_read_id" not in value:
            raise ApiError(
                422, f"Validation failed: {name}[last_read_id] is missing", **_marker_details(name)
            )
        positions[name] = value["last_read_id"]
    saved = marker_service.markers_save(account=api.user, positions=positions)
    return ok({m.timeline: _marker(m) for m in saved})


def _marker_details(name: str) -> dict[str, Any]:
    return {"details": {name: [{"error": "ERR_BLANK", "description": "last_read_id is missing"}]}}


@endpoint("GET", auth="required", scope="read:accounts")
def preferences(api: ApiRequest) -> HttpResponse:
    user = api.user
    return ok(
        {
            "posting:default:visibility": user.default_visibility,
            "posting:default:sensitive": user.default_sensitive,
            "posting:default:language": user.default_language or None,
            "posting:default:quote_policy": user.default_quote_policy,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )


# Outside the API: nodeinfo, webfinger, health --------------------------------------------


@require_GET
def nodeinfo_links(request: HttpRequest) -> JsonResponse:
    href = request.build_absolute_uri("/nodeinfo/2.0")
    return JsonResponse(
        {"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": href}]}
    )


@require_GET
def nodeinfo(request: HttpRequest) -> JsonResponse:
    usage = _usage()
    return JsonResponse(
        {
            "version": "2.0",
            "software": {"name": "storefeed", "version": storefeed.__version__},
            # Storefeed does not federate: it speaks the Mastodon client API only.
            "protocols": [],
            "services": {"outbound": [], "inbound": []},
            "usage": {
                "users": {
                    "total": usage["total"],
                    "activeMonth": usage["month"],
                    "activeHalfyear": usage["halfyear"],
                },
                "localPosts": usage["posts"],
            },
            "openRegistrations": True,
            "metadata": {"nodeName": _title()},
        }
    )


def _webfinger_username(resource: str, host: str) -> str | None:
    """The username named by `acct:user@host`, `user@host`, `acct:user` or the profile URL."""
    bare_host = host.split(":", 1)[0]
    if resource.startswith(("http://", "https://")):
        prefix_http, prefix_https = f"http://{host}/@", f"https://{host}/@"
        for prefix in (prefix_http, prefix_https):
            if resource.startswith(prefix):
                return resource[len(prefix) :].strip("/") or None
        return None
    acct = resource.removeprefix("acct:").lstrip("@")
    name, _sep, domain = acct.partition("@")
    if domain and domain not in {host, bare_host}:
        return None
    return name or None


@require_GET
def webfinger(request: HttpRequest) -> JsonResponse:
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return JsonResponse({"error": "The resource parameter is required"}, status=400)
    host = request.get_host()
    username = _webfinger_username(resource, host)
    user = account_by_username(username) if username else None
    if user is None:
        return JsonResponse({"error": "Record not found"}, status=404)
    profile = request.build_absolute_uri(f"/@{user.username}")
    return JsonResponse(
        {
            "subject": f"acct:{user.username}@{host.split(':', 1)[0]}",
            "aliases": [profile],
            "links": [
                {
                    "rel": "http://webfinger.net/rel/profile-page",
                    "type": "text/html",
                    "href": profile,
                }
            ],
        },
        content_type="application/jrd+json",
    )


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")


urlpatterns: list[URLPattern] = [
    route("api/v1/instance", instance_v1),
    route("api/v2/instance", instance_v2),
    route("api/v1/instance/peers", empty_list),
    route("api/v1/instance/activity", activity),
    route("api/v1/instance/rules", rules),
    route("api/v1/instance/extended_description", extended_description),
    route("api/v1/instance/languages", languages),
    route("api/v1/instance/translation_languages", translation_languages),
    route("api/v1/custom_emojis", empty_list),
    route("api/v1/markers", markers),
    route("api/v1/preferences", preferences),
    route(".well-known/nodeinfo", nodeinfo_links),
    route("nodeinfo/2.0", nodeinfo),
    route(".well-known/webfinger", webfinger),
    route("health", health),
]
