"""Mastodon API: the profile directory, follow suggestions and trends, read from the rows
discovery's worker keeps (https://docs.joinmastodon.org/methods/directory/, .../suggestions/,
.../trends/). Storefeed adds `field` (an expert field's slug) to the directory and trends."""

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern
from django.utils import translation

from storefeed.accounts.models import ExpertField
from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.pages import render_statuses
from storefeed.api.mastodon.routing import route
from storefeed.discovery import selectors as discovery
from storefeed.discovery import services
from storefeed.discovery.selectors import Entry


def _page(api: ApiRequest, default: int, most: int) -> tuple[int, int]:
    limit = api.params.int("limit", default)
    offset = api.params.int("offset", 0)
    assert limit is not None and offset is not None
    if limit < 1 or offset < 0:
        raise ApiError(422, "Validation failed: limit and offset must be positive")
    return min(offset, 10_000), min(limit, most)


def _field(api: ApiRequest) -> ExpertField | None:
    slug = (api.params.str("field", "") or "").strip()
    if not slug:
        return None
    field = discovery.field_by_slug(slug)
    if field is None:
        raise ApiError(
            422,
            f"Validation failed: field {slug[:60]!r} does not exist",
            details={"field": [{"error": "ERR_INCLUSION", "description": "Unknown field"}]},
        )
    return field


@endpoint("GET", auth="optional")
def directory(api: ApiRequest) -> HttpResponse:
    offset, limit = _page(api, 40, 80)
    order = api.params.str("order", "active") or "active"
    if order not in {"active", "new"}:
        raise ApiError(422, "Validation failed: order must be active or new")
    api.params.bool("local")  # one server: every account is local; refuse a non-boolean
    users = discovery.directory(order=order, field=_field(api), offset=offset, limit=limit)
    r = Renderer(api.request)
    return ok([r.account(u) for u in users])


@endpoint("GET", auth="required", scope="read")
def suggestions_v2(api: ApiRequest) -> HttpResponse:
    _offset, limit = _page(api, 40, 80)
    r = Renderer(api.request)
    return ok(
        [
            {"source": s.source, "sources": s.sources, "account": r.account(s.account)}
            for s in discovery.suggestions_for(viewer=api.user, limit=limit)
        ]
    )


@endpoint("GET", auth="required", scope="read")
def suggestions_v1(api: ApiRequest) -> HttpResponse:
    _offset, limit = _page(api, 40, 80)
    r = Renderer(api.request)
    return ok(
        [r.account(s.account) for s in discovery.suggestions_for(viewer=api.user, limit=limit)]
    )


@endpoint("DELETE", auth="required", scope="read")
def suggestion_remove(api: ApiRequest, account_id: int) -> HttpResponse:
    # The id in the path is parsed by the endpoint wrapper (ASCII digits below 2^63).
    services.suggestion_dismiss(account=api.user, target_id=account_id)
    return ok({})


def _language(api: ApiRequest) -> AbstractContextManager[Any]:
    """Mastodon takes the language of what it words from `lang` before Accept-Language (which
    the middleware already applied); Mastodon.py sends `lang`. An unknown one is ignored."""
    lang = (api.params.str("lang", "") or "").strip()
    try:
        code = translation.get_supported_language_variant(lang) if lang else None
    except LookupError:
        code = None
    return translation.override(code) if code else nullcontext()


def _field_id(api: ApiRequest) -> int:
    field = _field(api)
    return field.pk if field is not None else 0


def _tag(r: Renderer, entry: Entry) -> dict[str, Any]:
    return {**r.tag(entry.item), "history": entry.trend.history, "reason": entry.reason}


@endpoint("GET", auth="optional")
def trends_tags(api: ApiRequest) -> HttpResponse:
    offset, limit = _page(api, 10, 20)
    with _language(api):
        entries = discovery.trending_tags(field_id=_field_id(api), offset=offset, limit=limit)
    r = Renderer(api.request)
    return ok([_tag(r, e) for e in entries])


@endpoint("GET", auth="optional")
def trends_statuses(api: ApiRequest) -> HttpResponse:
    offset, limit = _page(api, 20, 40)
    with _language(api):
        found = discovery.trending_status_ids(
            viewer=api.account, field_id=_field_id(api), offset=offset, limit=limit
        )
    reasons = dict(found)
    statuses = render_statuses(api.request, api.account, [pk for pk, _reason in found])
    return ok([{**s, "trend_reason": reasons.get(int(s["id"]), "")} for s in statuses])


@endpoint("GET", auth="optional")
def trends_links(api: ApiRequest) -> HttpResponse:
    """Trending products, each a link to its product page (Mastodon's Trends::Link)."""
    offset, limit = _page(api, 10, 20)
    with _language(api):
        entries = discovery.trending_products(field_id=_field_id(api), offset=offset, limit=limit)
    r = Renderer(api.request)
    return ok([_link(r, e) for e in entries])


def _link(r: Renderer, entry: Entry) -> dict[str, Any]:
    link = entry.item
    return {
        "url": r.url(link.path),
        "title": link.title,
        "description": link.description,
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": "Storefeed",
        "provider_url": r.url("/"),
        "html": "",
        "width": 0,
        "height": 0,
        "image": r.url(link.image_path) if link.image_path else None,
        "image_description": "",
        "embed_url": "",
        "blurhash": None,
        "history": [
            {
                "day": str(int(entry.trend.updated_at.timestamp()) // 86400 * 86400),
                "accounts": str(entry.trend.accounts),
                "uses": str(entry.trend.accounts),
            }
        ],
        # Storefeed: what the product is, and why it trends.
        "product": {"id": str(link.product_id), "price": link.price, "currency": link.currency},
        "reason": entry.reason,
    }


urlpatterns: list[URLPattern] = [
    route("api/v1/directory", directory),
    route("api/v2/suggestions", suggestions_v2),
    route("api/v1/suggestions", suggestions_v1),
    route("api/v1/suggestions/<id:account_id>", suggestion_remove),
    route("api/v1/trends", trends_tags),
    route("api/v1/trends/tags", trends_tags),
    route("api/v1/trends/statuses", trends_statuses),
    route("api/v1/trends/links", trends_links),
]
