"""Mastodon API: filters (v2, and v1's deprecated shape over the same rows), muting a post's
thread, and user domain blocks (https://docs.joinmastodon.org/methods/filters/,
.../statuses/#mute, .../domain_blocks/)."""

from typing import Any
from urllib.parse import parse_qsl

from django.http import HttpResponse
from django.urls import URLPattern

from storefeed.api.mastodon.base import ApiRequest, endpoint, not_found, ok
from storefeed.api.mastodon.entities import Renderer, iso
from storefeed.api.mastodon.filtering import keyword_entity, status_filter_entity, with_marks
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.params import FALSE, TRUE, Invalid
from storefeed.api.mastodon.routing import route
from storefeed.core.parse import id_or_none
from storefeed.filters import selectors, services
from storefeed.filters.models import Filter, FilterAction, FilterKeyword, FilterStatus
from storefeed.posts import selectors as posts

READ = {"GET": "read:filters", "POST": "write:filters", "PUT": "write:filters",
        "DELETE": "write:filters"}  # fmt: skip


def filter_entity(f: Filter) -> dict[str, Any]:
    return {
        "id": str(f.pk),
        "title": f.title,
        "context": list(f.context),
        "expires_at": iso(f.expires_at),
        "filter_action": f.action,
        "keywords": [keyword_entity(k.pk, k.keyword, k.whole_word) for k in f.keywords.all()],
        "statuses": [status_filter_entity(s.pk, s.status_id) for s in f.statuses.all()],
    }


def v1_entity(k: FilterKeyword) -> dict[str, Any]:
    """Mastodon's V1::Filter: one keyword, with its filter's settings."""
    f = k.filter
    return {
        "id": str(k.pk),
        "phrase": k.keyword,
        "context": list(f.context),
        "whole_word": k.whole_word,
        "expires_at": iso(f.expires_at),
        "irreversible": f.action == FilterAction.HIDE,
    }


# Parameters -------------------------------------------------------------------------------


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise Invalid(f"{name} must be true or false")


def _ordered_form_entries(api: ApiRequest, name: str) -> list[dict[str, Any]] | None:
    """`name[][field]=...` in a query string or form body, read in order as Rails does: a
    field already present in the current entry starts the next one."""
    request = api.request
    prefix = f"{name}[]["
    if (request.content_type or "").lower() == "multipart/form-data" and request.method == "POST":
        # A multipart body is read field by field, so the order between fields is lost:
        # the n-th value of each field makes the n-th entry.
        fields = {
            key[len(prefix) : -1]: request.POST.getlist(key)
            for key in request.POST
            if key.startswith(prefix) and key.endswith("]")
        }
        count = max((len(v) for v in fields.values()), default=0)
        return [
            {f: values[i] for f, values in fields.items() if i < len(values)} for i in range(count)
        ] or None
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    if (request.content_type or "").lower() == "application/x-www-form-urlencoded":
        pairs += parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    entries: list[dict[str, Any]] = []
    for key, value in pairs:
        if not key.startswith(prefix) or not key.endswith("]"):
            continue
        field = key[len(prefix) : -1]
        if not entries or field in entries[-1]:
            entries.append({})
        entries[-1][field] = value
    return entries or None


def _keyword_changes(api: ApiRequest) -> list[services.KeywordChange]:
    raw = api.params.raw("keywords_attributes")
    if raw is None:
        raw = api.params.raw("keywords_attributes[]")
    if isinstance(raw, dict) and "" in raw:  # `keywords_attributes[][keyword]=...`
        raw = _ordered_form_entries(api, "keywords_attributes") or []
    elif isinstance(raw, dict):  # `keywords_attributes[0][keyword]=...` or a JSON object
        raw = [raw[k] for k in sorted(raw, key=lambda k: id_or_none(k) or 0)]
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise Invalid("keywords_attributes must be a list of objects")
    changes = []
    for entry in raw:
        pk = None
        if entry.get("id") not in (None, ""):
            pk = id_or_none(entry["id"])
            if pk is None:
                raise not_found()
        keyword = entry.get("keyword")
        if keyword is not None and not isinstance(keyword, str):
            raise Invalid("keyword must be a string")
        whole_word = entry.get("whole_word")
        changes.append(
            services.KeywordChange(
                id=pk,
                keyword=keyword,
                whole_word=None if whole_word is None else _bool(whole_word, "whole_word"),
                destroy=_bool(entry.get("_destroy", False), "_destroy"),
            )
        )
    return changes


def _context(api: ApiRequest) -> list[str] | None:
    if not api.params.has("context") and not api.params.has("context[]"):
        return None
    return [str(c) for c in api.params.list("context")]


def _expires_in(api: ApiRequest) -> int | object | None:
    """Seconds from now; empty or null: never. Left out: `UNSET` (unchanged on an update)."""
    if not api.params.has("expires_in"):
        return services.UNSET
    raw = api.params.raw("expires_in")
    if raw in (None, ""):
        return None
    return api.params.int("expires_in")


def _own(api: ApiRequest, filter_id: int) -> Filter:
    found = selectors.filter_of(account=api.user, filter_id=filter_id)
    if found is None:
        raise not_found()
    return found


# Filters v2 -------------------------------------------------------------------------------


@endpoint("GET", "POST", scope=READ)
def filters_v2(api: ApiRequest) -> HttpResponse:
    if api.request.method == "POST":
        expires_in = _expires_in(api)
        created = services.filter_create(
            account=api.user,
            title=api.params.str("title", "") or "",
            context=_context(api) or [],
            action=api.params.str("filter_action") or FilterAction.WARN,
            expires_in=None if expires_in is services.UNSET else expires_in,  # type: ignore[arg-type]
            keywords=_keyword_changes(api),
        )
        return ok(filter_entity(_own(api, created.pk)))
    return ok([filter_entity(f) for f in selectors.filters_of(account=api.user)])


@endpoint("GET", "PUT", "DELETE", scope=READ)
def filter_v2(api: ApiRequest, filter_id: int) -> HttpResponse:
    if api.request.method == "PUT":
        services.filter_update(
            account=api.user,
            filter_id=filter_id,
            title=api.params.str("title"),
            context=_context(api),
            action=api.params.str("filter_action"),
            expires_in=_expires_in(api),
            keywords=_keyword_changes(api),
        )
    elif api.request.method == "DELETE":
        services.filter_delete(account=api.user, filter_id=filter_id)
        return ok({})
    return ok(filter_entity(_own(api, filter_id)))


@endpoint("GET", "POST", scope=READ)
def filter_keywords(api: ApiRequest, filter_id: int) -> HttpResponse:
    if api.request.method == "POST":
        row = services.filter_keyword_add(
            account=api.user,
            filter_id=filter_id,
            keyword=api.params.str("keyword", ""),
            whole_word=api.params.bool("whole_word", True),
        )
        return ok(keyword_entity(row.pk, row.keyword, row.whole_word))
    return ok(
        [keyword_entity(k.pk, k.keyword, k.whole_word) for k in _own(api, filter_id).keywords.all()]
    )


@endpoint("GET", "PUT", "DELETE", scope=READ)
def filter_keyword(api: ApiRequest, keyword_id: int) -> HttpResponse:
    if api.request.method == "DELETE":
        services.filter_keyword_delete(account=api.user, keyword_id=keyword_id)
        return ok({})
    if api.request.method == "PUT":
        row = services.filter_keyword_update(
            account=api.user,
            keyword_id=keyword_id,
            keyword=api.params.str("keyword"),
            whole_word=api.params.bool("whole_word") if api.params.has("whole_word") else None,
        )
        return ok(keyword_entity(row.pk, row.keyword, row.whole_word))
    found = selectors.keywords_of(account=api.user, ids=[keyword_id])
    if not found:
        raise not_found()
    return ok(keyword_entity(found[0].pk, found[0].keyword, found[0].whole_word))


@endpoint("GET", "POST", scope=READ)
def filter_statuses(api: ApiRequest, filter_id: int) -> HttpResponse:
    if api.request.method == "POST":
        status_id = id_or_none(api.params.str("status_id", ""))
        if status_id is None:
            raise not_found()
        row = services.filter_status_add(account=api.user, filter_id=filter_id, status_id=status_id)
        return ok(status_filter_entity(row.pk, row.status_id))
    return ok(
        [status_filter_entity(s.pk, s.status_id) for s in _own(api, filter_id).statuses.all()]
    )


@endpoint("GET", "DELETE", scope=READ)
def filter_status(api: ApiRequest, row_id: int) -> HttpResponse:
    if api.request.method == "DELETE":
        row = services.filter_status_delete(account=api.user, row_id=row_id)
        return ok(status_filter_entity(row.pk, row.status_id))
    found = FilterStatus.objects.filter(pk=row_id, filter__account=api.user).first()
    if found is None:
        raise not_found()
    return ok(status_filter_entity(found.pk, found.status_id))


# Filters v1 (deprecated in Mastodon 4.0; one keyword each) ---------------------------------


def _v1_fields(api: ApiRequest) -> dict[str, Any]:
    p = api.params
    return {
        "context": _context(api),
        "irreversible": p.bool("irreversible") if p.has("irreversible") else None,
        "whole_word": p.bool("whole_word") if p.has("whole_word") else None,
        "expires_in": _expires_in(api),
    }


@endpoint("GET", "POST", scope=READ)
def filters_v1(api: ApiRequest) -> HttpResponse:
    if api.request.method == "POST":
        fields = _v1_fields(api)
        row = services.filter_v1_create(
            account=api.user,
            phrase=api.params.str("phrase", "") or "",
            context=fields["context"] or [],
            irreversible=bool(fields["irreversible"]),
            whole_word=True if fields["whole_word"] is None else fields["whole_word"],
            expires_in=None if fields["expires_in"] is services.UNSET else fields["expires_in"],
        )
        return ok(v1_entity(row))
    return ok([v1_entity(k) for k in selectors.keywords_of(account=api.user)])


@endpoint("GET", "PUT", "DELETE", scope=READ)
def filter_v1(api: ApiRequest, keyword_id: int) -> HttpResponse:
    if api.request.method == "DELETE":
        services.filter_v1_delete(account=api.user, keyword_id=keyword_id)
        return ok({})
    if api.request.method == "PUT":
        row = services.filter_v1_update(
            account=api.user, keyword_id=keyword_id, phrase=api.params.str("phrase"),
            **_v1_fields(api),
        )  # fmt: skip
        return ok(v1_entity(row))
    found = selectors.keywords_of(account=api.user, ids=[keyword_id])
    if not found:
        raise not_found()
    return ok(v1_entity(found[0]))


# Muting a thread --------------------------------------------------------------------------


def _thread(mute: bool) -> Any:
    @endpoint("POST", scope="write:mutes")
    def view(api: ApiRequest, status_id: int) -> HttpResponse:
        service = services.thread_mute if mute else services.thread_unmute
        service(account=api.user, status_id=status_id)
        status = posts.statuses_hydrate(viewer=api.user, ids=[status_id])
        if not status:
            raise not_found()
        return ok(with_marks(api.user, Renderer(api.request).status(status[0])))

    return view


# Domain blocks ----------------------------------------------------------------------------


def _local(api: ApiRequest) -> str:
    return api.request.get_host().split(":", 1)[0]


@endpoint("GET", "POST", "DELETE", scope={"GET": "read:blocks", "POST": "write:blocks",
                                          "DELETE": "write:blocks"})  # fmt: skip
def domain_blocks(api: ApiRequest) -> HttpResponse:
    if api.request.method in ("POST", "DELETE"):
        service = services.domain_block if api.request.method == "POST" else services.domain_unblock
        service(account=api.user, domain=api.params.str("domain", "") or "", local=_local(api))
        return ok({})
    page = cursors(api, default_limit=100, max_limit=200)
    rows = selectors.domain_blocks_of(
        account=api.user, max_id=page["max_id"], since_id=page["since_id"], limit=page["limit"]
    )
    return ok([r.domain for r in rows], headers=link_header(api, [r.pk for r in rows]))


urlpatterns: list[URLPattern] = [
    route("api/v2/filters", filters_v2),
    route("api/v2/filters/keywords/<id:keyword_id>", filter_keyword),
    route("api/v2/filter_keywords/<id:keyword_id>", filter_keyword),
    route("api/v2/filters/statuses/<id:row_id>", filter_status),
    route("api/v2/filter_statuses/<id:row_id>", filter_status),
    route("api/v2/filters/<id:filter_id>", filter_v2),
    route("api/v2/filters/<id:filter_id>/keywords", filter_keywords),
    route("api/v2/filters/<id:filter_id>/statuses", filter_statuses),
    route("api/v1/filters", filters_v1),
    route("api/v1/filters/<id:keyword_id>", filter_v1),
    route("api/v1/statuses/<id:status_id>/mute", _thread(True)),
    route("api/v1/statuses/<id:status_id>/unmute", _thread(False)),
    route("api/v1/domain_blocks", domain_blocks),
]
