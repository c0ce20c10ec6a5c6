"""Pages of statuses from cached parts: the fast path of every timeline.

Each post's core (`Renderer.status_core`: content, media, mentions, tags, poll options, ...)
and each author's core (`Renderer.account_core`) is rendered once and cached by version
(core/parts.py); per page this reads only what is live, in a fixed number of queries of plain
values: the posts' rows with the reader's own marks (versions, counters, liked, reposted,
bookmarked, pinned: posts.live.rows, one query), the reader's poll votes and the tallies (only
when the page has polls) and the product cards with their current price and stock (one
query). A page in which everything is cached builds no
model instances at all.

Each entity is then kept encoded (JSON bytes) in this process, keyed by everything it was
made from, live values and the reader's marks included: a page read again, by its reader or
by anyone whose marks are the same, is spliced from those bytes rather than assembled and
encoded again. A change of any value is another key, so an entry is never stale.
"""

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest

from storefeed.accounts.models import User
from storefeed.api.mastodon.base import dumps
from storefeed.api.mastodon.entities import (
    Marks,
    Renderer,
    account_counts,
    assemble_status,
    status_counts,
)
from storefeed.core import parts
from storefeed.posts import hydration, live
from storefeed.posts.selectors import statuses_hydrate

# Bumped when the shape of a cached core changes, so old parts are not read.
SHAPE = 1


def render_statuses(request: HttpRequest, viewer: User | None, ids: Sequence[int]) -> list[dict]:
    """Mastodon Status entities for `ids` (a page, in order; deleted posts dropped)."""
    return [orjson.loads(encoded) for _pk, encoded in encoded_statuses(request, viewer, ids)]


def statuses_page(
    request: HttpRequest, viewer: User | None, ids: Sequence[int]
) -> tuple[list[int], orjson.Fragment]:
    """`render_statuses` as the JSON array a timeline answers with (`ok()` writes it as it
    is), and the ids it holds (for the Link header)."""
    found = encoded_statuses(request, viewer, ids)
    return [pk for pk, _ in found], orjson.Fragment(b"[" + b",".join(e for _, e in found) + b"]")


def encoded_statuses(
    request: HttpRequest, viewer: User | None, ids: Sequence[int]
) -> list[tuple[int, bytes]]:
    """Each of `ids` that still exists, as the JSON of its Status entity, in order."""
    r = Renderer(request)
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    rows = live.rows(ids, viewer_id=viewer_id)
    page = [i for i in ids if i in rows]
    if not page:
        return []
    site = hashlib.blake2s(r.base.encode(), digest_size=6).hexdigest()
    core_keys = {pk: f"ms{SHAPE}:{pk}:{row.version}:{site}" for pk, row in rows.items()}
    cores = parts.get_or_render(core_keys, lambda missing: _status_cores(r, missing))
    authors = {row.account_id: row.profile_version for row in rows.values()}
    account_keys = {pk: f"ma{SHAPE}:{pk}:{version}:{site}" for pk, version in authors.items()}
    accounts = parts.get_or_render(account_keys, lambda missing: _account_cores(r, missing))
    poll_ids = [core["_poll_id"] for core in cores.values() if core["_poll_id"]]
    votes = live.poll_votes(viewer_id, poll_ids)
    polls = live.polls(poll_ids)
    # A plain repost shows the cards of the post it carries.
    cards = hydration.cards(sorted({row.reblog_of_id or pk for pk, row in rows.items()}))
    hydration.shown(
        request, viewer_id, [(pk, row.account_id) for pk in cards if (row := rows.get(pk))]
    )

    def poll_entity(poll_id: int | None) -> dict[str, Any] | None:
        poll = polls.get(poll_id) if poll_id else None
        if poll is None:
            return None
        poll.own_votes = votes.get(poll.pk, [])  # type: ignore[attr-defined]
        return r.poll(poll)

    def entity(pk: int | None, depth: int = 0) -> bytes | None:
        row = rows.get(pk) if pk is not None else None
        if row is None or depth > 2 or pk not in cores or row.account_id not in accounts:
            return None
        core = cores[row.id]
        shown = row.reblog_of_id or row.id  # a repost reports the reader's marks of its post
        marked = rows.get(shown, row)
        reblog = entity(row.reblog_of_id, depth + 1)
        quote = entity(row.quote_of_id, depth + 1)
        poll = poll_entity(core["_poll_id"])
        products = tuple(cards.get(shown, ()))
        # Everything the entity is made of: the keys of its cached cores (versions), its row
        # (counters, the author's counters, the reader's marks), the entities it carries,
        # its poll as the reader sees it now and its cards' current values. The same page
        # read again (by anyone with the same marks) is then spliced, not built.
        key = (
            core_keys[row.id],
            account_keys[row.account_id],
            row,
            marked.favourited,
            marked.reblogged,
            marked.bookmarked,
            reblog,
            quote,
            None if poll is None else orjson.dumps(poll),
            products,
        )
        encoded = _encoded.get(key)
        if encoded is not None:
            return encoded
        data = assemble_status(
            core,
            account={**accounts[row.account_id], **account_counts(row)},
            counts=status_counts(row),
            marks=Marks(
                favourited=marked.favourited,
                reblogged=marked.reblogged,
                bookmarked=marked.bookmarked,
                pinned=row.pinned,
            ),
            reblog=None if reblog is None else orjson.Fragment(reblog),
            quote=None if quote is None else orjson.Fragment(quote),
            poll=poll,
            products=[_card_entity(r, card) for card in products],
        )
        return _encoded.remember(key, dumps(data))

    return [(pk, e) for pk in page if (e := entity(pk)) is not None]


# Encoded entities and product cards, keyed by all they were made from (never stale): a few
# KB each, STOREFEED_API_ENCODED_ENTRIES of them per process.
_encoded = parts.Memo(settings.API_ENCODED_ENTRIES)
_cards = parts.Memo(settings.API_ENCODED_ENTRIES)


def _card_entity(r: Renderer, card: Any) -> orjson.Fragment:
    key = (r.base, card)
    found = _cards.get(key)
    if found is None:
        found = _cards.remember(key, orjson.Fragment(dumps(r.product_card(card))))
    return found


def _status_cores(r: Renderer, ids: list[int]) -> dict[int, dict[str, Any]]:
    statuses = statuses_hydrate(viewer=None, ids=ids, shared_only=True)
    return {s.pk: r.status_core(s) for s in statuses}


def _account_cores(r: Renderer, ids: list[int]) -> dict[int, dict[str, Any]]:
    users = User.objects.select_related("expert_field").filter(pk__in=ids)
    return {u.pk: r.account_core(u) for u in users}
