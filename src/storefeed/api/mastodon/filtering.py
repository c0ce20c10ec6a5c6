"""The filter step of every read path: a reader's filters (Mastodon's filters v2) and muted
threads applied to Status entities already rendered.

`filter_statuses(viewer, entities, context)` is the one call each path makes after rendering
(timelines, account posts, threads, notifications, the streams): a status that a filter in
force for `context` matches gets `filtered: [FilterResult]` (warn and blur), or is left out
(hide); a status in a thread the reader muted gets `muted: true`. It costs one query per call
(filters.selectors.active_filters) and one more only when the reader muted threads; a reader
without filters or muted threads gets the entities back untouched.

What is matched, as Mastodon does: the content warning, the text (HTML tags removed), the
poll's options and the images' descriptions; a repost is matched by the post it carries, and
carries the same results. The reader's own posts are never filtered."""

from collections.abc import Iterable
from typing import Any

import orjson
from django.http import HttpRequest

from storefeed.accounts.models import User
from storefeed.api.mastodon.entities import iso
from storefeed.api.mastodon.pages import render_statuses, statuses_page
from storefeed.filters.selectors import (
    ActiveFilters,
    Compiled,
    active_filters,
    matches,
    searchable_text,
)
from storefeed.notifications.threads import ancestry


def keyword_entity(pk: int, keyword: str, whole_word: bool) -> dict[str, Any]:
    return {"id": str(pk), "keyword": keyword, "whole_word": whole_word}


def status_filter_entity(pk: int, status_id: int) -> dict[str, Any]:
    return {"id": str(pk), "status_id": str(status_id)}


def compiled_entity(f: Compiled) -> dict[str, Any]:
    """A Filter entity (v2) from its compiled form, as FilterResult carries it."""
    return {
        "id": str(f.id),
        "title": f.title,
        "context": list(f.context),
        "expires_at": iso(f.expires_at),
        "filter_action": f.action,
        "keywords": [keyword_entity(k.id, k.keyword, k.whole_word) for k in f.keywords],
        "statuses": [status_filter_entity(pk, sid) for pk, sid in f.statuses],
    }


def _text(entity: dict[str, Any]) -> str:
    poll = entity.get("poll") or {}
    return searchable_text(
        spoiler_text=entity.get("spoiler_text") or "",
        content_html=entity.get("content") or "",
        options=[o.get("title") or "" for o in poll.get("options", [])],
        descriptions=[m.get("description") or "" for m in entity.get("media_attachments") or []],
    )


def _results(filters: list[Compiled], entity: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "filter": compiled_entity(m.filter),
            "keyword_matches": m.keyword_matches or None,
            "status_matches": [str(s) for s in m.status_matches] or None,
        }
        for m in matches(filters, status_id=int(entity["id"]), text=lambda: _text(entity))
    ]


def _muted_ids(rf: ActiveFilters, entities: Iterable[dict[str, Any]]) -> set[int]:
    """Of the statuses (and the posts reposts carry), those in a thread the reader muted."""
    if not rf.muted_threads:
        return set()
    ids = set()
    for e in entities:
        ids.add(int(e["id"]))
        if e.get("reblog"):
            ids.add(int(e["reblog"]["id"]))
    return {sid for sid, chain in ancestry(sorted(ids)).items() if rf.muted_threads & set(chain)}


def filter_statuses(
    viewer: User | None,
    entities: list[dict[str, Any]],
    context: str,
    *,
    filters: ActiveFilters | None = None,
) -> list[dict[str, Any]]:
    """`entities` as `viewer` should see them in `context` (home, notifications, public,
    thread, account): hidden ones left out, the others marked (copies; cached entities are
    never changed in place). `filters`: the reader's, when the caller read them already."""
    if viewer is None or not entities:
        return entities
    rf = filters if filters is not None else active_filters(viewer.pk)
    active = rf.for_context(context)
    if not active and not rf.muted_threads:
        return entities
    muted = _muted_ids(rf, entities)
    out = []
    for entity in entities:
        inner = entity.get("reblog") or entity
        own = int(inner["account"]["id"]) == viewer.pk
        results = [] if own or not active else _results(active, inner)
        if any(r["filter"]["filter_action"] == "hide" for r in results):
            continue
        entity = _marked(entity, results, int(entity["id"]) in muted)
        if entity.get("reblog"):
            entity["reblog"] = _marked(
                entity["reblog"], results, int(entity["reblog"]["id"]) in muted
            )
        out.append(entity)
    return out


def _marked(entity: dict[str, Any], results: list[dict[str, Any]], muted: bool) -> dict[str, Any]:
    if not results and not muted:
        return entity
    return {**entity, "filtered": results, "muted": muted}


def with_marks(viewer: User | None, entity: dict[str, Any]) -> dict[str, Any]:
    """One status as its own answer (GET /statuses/:id, mute, unmute): `muted` for the reader;
    no filter hides or marks a post asked for by its id."""
    return filter_statuses(viewer, [entity], "")[0]


def filter_notifications(viewer: User, notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Notification entities with their statuses filtered in the `notifications` context;
    a notification whose status a `hide` filter matches is left out."""
    with_status = [n["status"] for n in notes if n.get("status")]
    if not with_status:
        return notes
    shown = {s["id"]: s for s in filter_statuses(viewer, with_status, "notifications")}
    out = []
    for note in notes:
        status = note.get("status")
        if status is None:
            out.append(note)
        elif status["id"] in shown:
            out.append({**note, "status": shown[status["id"]]})
    return out


def filtered_page(
    request: HttpRequest, viewer: User | None, ids: list[int], context: str
) -> tuple[list[int], list[dict[str, Any]] | orjson.Fragment]:
    """A timeline page of `ids` as `viewer` should see it in `context`, and the ids of the
    page before filtering (the Link header pages on them, so a page whose posts were all
    hidden still leads to the next). A reader with no filter in force for `context` and no
    muted thread (nearly everyone) gets the page's cached JSON spliced as it is
    (`pages.statuses_page`); the others get entities rendered, then filtered."""
    rf = active_filters(viewer.pk) if viewer is not None and viewer.is_authenticated else None
    if rf is None or (not rf.for_context(context) and not rf.muted_threads):
        return statuses_page(request, viewer, ids)
    rendered = render_statuses(request, viewer, ids)
    shown = [int(s["id"]) for s in rendered]
    return shown, filter_statuses(viewer, rendered, context, filters=rf)
