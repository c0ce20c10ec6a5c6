"""Who receives each event, and what: the streaming process's routing, run in its one worker
thread with the ORM (hub.py hands it a batch of events and a snapshot of the connections).

Every decision goes through the selectors the timelines use, so a stream shows what the
matching timeline would show on its next read: a post reaches a reader's `user` stream when
`home_timeline_ids` (store, celebrities pulled, blocks, mutes, exclusive lists, reblogs off)
has it, a `list` stream when `list_timeline_ids` has it, the public and hashtag streams when
`public_timeline_ids` / `tag_timeline_ids` have it (then without the accounts the reader
blocked, is blocked by or muted). Statuses are rendered by the API's own renderer
(`pages.render_statuses`, cached cores and live counters): for each reader in their `user`,
`list` and `direct` streams, once per site and language for the public and hashtag ones (as
Mastodon renders public streams without a reader).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import orjson
from django.apps import apps
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from storefeed.accounts.models import User
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.filtering import filter_notifications, filter_statuses
from storefeed.api.mastodon.pages import render_statuses
from storefeed.api.mastodon.views.conversations import conversation_entities
from storefeed.conversations.models import AccountConversation
from storefeed.core.errors import DomainError
from storefeed.filters.selectors import ActiveFilters, active_filters
from storefeed.notifications.selectors import notifications_for
from storefeed.posts import selectors as posts
from storefeed.posts.models import Mention, Status, StatusTag
from storefeed.posts.selectors import MAX_PAGE
from storefeed.social.models import Follow
from storefeed.social.selectors import hidden_account_ids
from storefeed.timelines.lists import list_timeline_ids
from storefeed.timelines.selectors import home_timeline_ids

log = logging.getLogger(__name__)

USER, NOTIFICATIONS, DIRECT, LIST, PRODUCTS = (
    "user",
    "user:notification",
    "direct",
    "list",
    "storefeed:products",
)
PUBLIC = ("public", "public:local", "public:media", "public:local:media")
REMOTE = ("public:remote", "public:remote:media")
HASHTAG = ("hashtag", "hashtag:local")
# What each stream needs: a signed-in reader (and which token scope), and parameters.
NEEDS_USER = {USER, NOTIFICATIONS, DIRECT, LIST}
NAMES = {USER, NOTIFICATIONS, DIRECT, LIST, PRODUCTS, *PUBLIC, *REMOTE, *HASHTAG}
# Storefeed's own event for live shop windows (docs/api.md).
PRODUCT_EVENT = "storefeed.product"


@dataclass(frozen=True)
class Stream:
    name: str
    tag: str = ""
    list_id: int = 0

    def label(self) -> list[str]:
        """The `stream` array of a WebSocket message, as Mastodon writes it."""
        if self.name in HASHTAG:
            return [self.name, self.tag]
        if self.name == LIST:
            return [self.name, str(self.list_id)]
        return [self.name]


@dataclass
class Reader:
    """One connection, as the router sees it (a snapshot taken by the hub)."""

    key: int
    user: User | None
    lang: str
    base: str  # scheme://host of the web site, for the entities' absolute URLs
    streams: frozenset[Stream]
    web: bool = False  # a web page signed in by its session (gets shop notifications too)

    def has(self, *names: str) -> list[Stream]:
        return [s for s in self.streams if s.name in names]


@dataclass(frozen=True)
class Delivery:
    key: int
    stream: list[str]
    event: str
    # JSON text of the entity, a bare id for `delete`, or None for an event without a payload
    # (`filters_changed`: SSE then writes `data: undefined`, WebSockets leave `payload` out,
    # as Mastodon's streaming server does).
    payload: str | None


@dataclass
class Batch:
    """A batch of raw events, sorted by kind."""

    home: set[int] = field(default_factory=set)
    created: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)
    recipients: set[int] = field(default_factory=set)
    products: set[int] = field(default_factory=set)
    sellers: set[int] = field(default_factory=set)
    filters_changed: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, events: Iterable[dict[str, Any]]) -> "Batch":
        batch = cls()
        for event in events:
            kind = event.get("kind")
            if kind == "home":
                batch.home.add(int(event["id"]))
            elif kind == "status.created":
                batch.created.add(int(event["id"]))
            elif kind == "status.updated":
                batch.updated.add(int(event["id"]))
            elif kind == "status.deleted":
                batch.deleted.update(int(i) for i in event["ids"])
            elif kind == "notification":
                batch.recipients.update(int(i) for i in event["recipients"])
            elif kind == "filters_changed":
                batch.filters_changed.add(int(event["account"]))
            elif kind == "product":
                if event.get("seller") is not None:
                    batch.sellers.add(int(event["seller"]))
                batch.products.update(int(i) for i in event.get("ids", ()))
        return batch


class _Request(HttpRequest):
    """What the renderer needs of a request: the site's address and the language."""

    def __init__(self, base: str, lang: str) -> None:
        super().__init__()
        scheme, _, host = base.partition("://")
        self._scheme = scheme
        self.META["HTTP_HOST"] = host
        self.LANGUAGE_CODE = lang

    def _get_scheme(self) -> str:
        return self._scheme

    def get_host(self) -> str:
        return str(self.META["HTTP_HOST"])


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class Router:
    """Routes one batch: `deliveries()` once. `notified` (user id -> the newest notification
    id each user's connections were sent) is shared with the hub and moved forward here."""

    def __init__(self, readers: Sequence[Reader], notified: dict[int, int]) -> None:
        self.readers = readers
        self.notified = notified
        self.out: list[Delivery] = []
        self._shared: dict[tuple[str, str, int], dict[str, Any] | None] = {}
        self._own: dict[tuple[int, str, str, int], dict[str, Any] | None] = {}
        self._hidden: dict[int, set[int]] = {}
        self._shown: dict[tuple[int, int], set[int]] = {}
        self._filters: dict[int, ActiveFilters] = {}

    def deliveries(self, batch: Batch) -> list[Delivery]:
        for sid in sorted(batch.created):
            self._public(sid, "update")
            self._direct(sid)
        self._home(batch.home, "update")
        for sid in sorted(batch.updated):
            self._public(sid, "status.update")
        self._home(batch.updated, "status.update")
        if batch.deleted:
            self._deleted(batch.deleted)
        if batch.recipients:
            self._notifications(batch.recipients)
        if batch.products or batch.sellers:
            self._products(batch)
        if batch.filters_changed:
            self._filters_changed(batch.filters_changed)
        return self.out

    # Rendering ----------------------------------------------------------------------------

    def shared(self, reader: Reader, sid: int) -> dict[str, Any] | None:
        """The status as anyone sees it (public streams), rendered once per site and language."""
        key = (reader.base, reader.lang, sid)
        if key not in self._shared:
            self._shared[key] = self._render(reader, None, sid)
        return self._shared[key]

    def own(self, reader: Reader, sid: int) -> dict[str, Any] | None:
        """The status as the reader sees it (their marks: liked, reposted, ...)."""
        assert reader.user is not None
        key = (reader.user.pk, reader.base, reader.lang, sid)
        if key not in self._own:
            self._own[key] = self._render(reader, reader.user, sid)
        return self._own[key]

    def own_many(self, reader: Reader, sids: list[int]) -> list[dict[str, Any]]:
        """`own` for several statuses, rendered in one call (one live query for all)."""
        assert reader.user is not None
        missing = [
            s for s in sids if (reader.user.pk, reader.base, reader.lang, s) not in self._own
        ]
        if missing:
            with translation.override(reader.lang):
                found = render_statuses(_Request(reader.base, reader.lang), reader.user, missing)
            by_id = {int(e["id"]): e for e in found}
            for sid in missing:
                self._own[reader.user.pk, reader.base, reader.lang, sid] = by_id.get(sid)
        entities = [self._own[reader.user.pk, reader.base, reader.lang, s] for s in sids]
        return [e for e in entities if e is not None]

    @staticmethod
    def _render(reader: Reader, viewer: User | None, sid: int) -> dict[str, Any] | None:
        with translation.override(reader.lang):
            found = render_statuses(_Request(reader.base, reader.lang), viewer, [sid])
        return found[0] if found else None

    def send(self, reader: Reader, stream: Stream, event: str, payload: Any) -> None:
        text = payload if isinstance(payload, str) or payload is None else _json(payload)
        self.out.append(Delivery(reader.key, stream.label(), event, text))

    def filtered(
        self, reader: Reader, entities: list[dict[str, Any]], context: str
    ) -> list[dict[str, Any]]:
        """The reader's filters (read once per batch) applied, as the timelines apply them."""
        user = reader.user
        if user is None or not entities:
            return entities
        if user.pk not in self._filters:
            self._filters[user.pk] = active_filters(user.pk)
        return filter_statuses(user, entities, context, filters=self._filters[user.pk])

    def hidden(self, reader: Reader) -> set[int]:
        if reader.user is None:
            return set()
        if reader.user.pk not in self._hidden:
            self._hidden[reader.user.pk] = hidden_account_ids(reader.user.pk)
        return self._hidden[reader.user.pk]

    # Statuses -----------------------------------------------------------------------------

    def _public(self, sid: int, event: str) -> None:
        """The public and hashtag streams, by the public and tag timelines' own rules."""
        wanted = [r for r in self.readers if r.has(*PUBLIC, *HASHTAG)]
        if not wanted:
            return
        public = sid in posts.public_timeline_ids(viewer=None, max_id=sid + 1, since_id=sid - 1)
        media = public and sid in posts.public_timeline_ids(
            viewer=None, max_id=sid + 1, since_id=sid - 1, only_media=True
        )
        tags = set(StatusTag.objects.filter(status_id=sid).values_list("tag__key", flat=True))
        in_tag: dict[str, bool] = {}
        for reader in wanted:
            for stream in reader.has(*PUBLIC, *HASHTAG):
                if stream.name in HASHTAG:
                    key = stream.tag
                    if key not in tags:
                        continue
                    if key not in in_tag:
                        in_tag[key] = sid in posts.tag_timeline_ids(
                            viewer=None, tag=key, max_id=sid + 1, since_id=sid - 1
                        )
                    if not in_tag[key]:
                        continue
                elif not (media if stream.name.endswith(":media") else public):
                    continue
                entity = self.shared(reader, sid)
                if entity is None or int(entity["account"]["id"]) in self.hidden(reader):
                    continue
                for shown in self.filtered(reader, [entity], "public"):
                    self.send(reader, stream, event, shown)

    def _candidates(self, sid: int) -> tuple[set[int], int | None]:
        """Connected readers whose home or lists may hold `sid`: the author, those mentioned
        and the author's followers among them (one query each); the selectors decide."""
        signed_in = {r.user.pk for r in self.readers if r.user is not None and r.has(USER, LIST)}
        row = Status.objects.filter(pk=sid).values_list("account_id", flat=True).first()
        if row is None or not signed_in:
            return set(), row
        found = {row} & signed_in
        found |= set(
            Mention.objects.filter(status_id=sid, account_id__in=signed_in).values_list(
                "account_id", flat=True
            )
        )
        found |= set(
            Follow.objects.filter(target_id=row, follower_id__in=signed_in).values_list(
                "follower_id", flat=True
            )
        )
        return found, row

    def _home(self, sids: Iterable[int], event: str) -> None:
        """`event` for each of `sids` on the `user` and `list` streams of the readers whose
        home (or list) shows it. Per reader, the home is read once over the ids' range (a page
        of at most MAX_PAGE; a full page is checked id by id instead, so nothing is missed)
        and the statuses are rendered in one call."""
        wanted: dict[int, list[int]] = {}  # reader user id -> the ids that may be theirs
        for sid in sorted(set(sids)):
            for uid in self._candidates(sid)[0]:
                wanted.setdefault(uid, []).append(sid)
        for reader in self.readers:
            user = reader.user
            if user is None or user.pk not in wanted:
                continue
            for stream in reader.has(USER, LIST):
                if stream.name == USER:
                    key: tuple[int, int] = (user.pk, 0)
                    if key not in self._shown:
                        self._shown[key] = _shown(
                            wanted[user.pk], partial(home_timeline_ids, viewer=user)
                        )
                else:
                    key = (user.pk, stream.list_id)
                    if key not in self._shown:
                        self._shown[key] = _shown(
                            wanted[user.pk],
                            partial(list_timeline_ids, viewer=user, list_id=stream.list_id),
                        )
                shown = [sid for sid in wanted[user.pk] if sid in self._shown[key]]
                for entity in self.filtered(reader, self.own_many(reader, shown), "home"):
                    self.send(reader, stream, event, entity)
        self._shown.clear()

    def _direct(self, sid: int) -> None:
        """Mastodon's `conversation` event on the `direct` stream: a direct post, to its author
        and those it mentions, as the Conversation entity GET /api/v1/conversations gives
        (the reader's conversation row: its id, unread, the other participants)."""
        wanted = [r for r in self.readers if r.user is not None and r.has(DIRECT)]
        if not wanted:
            return
        rows = {
            row.account_id: row
            for row in AccountConversation.objects.filter(
                last_status_id=sid, account_id__in={r.user.pk for r in wanted if r.user}
            )
        }
        for reader in wanted:
            assert reader.user is not None
            row = rows.get(reader.user.pk)
            if row is None:
                continue
            found = conversation_entities(_Request(reader.base, reader.lang), reader.user, [row])
            if not found or found[0]["last_status"] is None:
                continue
            for stream in reader.has(DIRECT):
                self.send(reader, stream, "conversation", found[0])

    def _deleted(self, ids: set[int]) -> None:
        # The rows are gone, so nothing says who could see them: every status stream hears of
        # the ids (a bare id tells nothing of the post), as Mastodon tells its public streams.
        for reader in self.readers:
            for stream in reader.has(USER, LIST, DIRECT, *PUBLIC, *HASHTAG):
                for sid in sorted(ids):
                    self.send(reader, stream, "delete", str(sid))

    # Notifications ------------------------------------------------------------------------

    def _notifications(self, recipients: set[int]) -> None:
        by_user: dict[int, list[Reader]] = {}
        for reader in self.readers:
            user = reader.user
            if user is not None and user.pk in recipients and reader.has(USER, NOTIFICATIONS):
                by_user.setdefault(user.pk, []).append(reader)
        for uid, readers in by_user.items():
            user = readers[0].user
            assert user is not None
            notes = notifications_for(account=user, min_id=self.notified.get(uid, 0), limit=40)
            if not notes:
                continue
            self.notified[uid] = max(n.pk for n in notes)
            ids = [n.status_id for n in notes if n.status_id is not None]
            statuses = {s.pk: s for s in posts.statuses_hydrate(viewer=user, ids=ids)}
            for reader in readers:
                r = Renderer(_Request(reader.base, reader.lang))
                with translation.override(reader.lang):
                    entities = [
                        r.notification(
                            note, statuses.get(note.status_id) if note.status_id else None
                        )
                        for note in reversed(notes)  # oldest first
                        # Mastodon clients do not know our "shop" type.
                        if note.type != "shop" or reader.web
                    ]
                for entity in filter_notifications(user, entities):
                    for stream in reader.has(USER, NOTIFICATIONS):
                        self.send(reader, stream, "notification", entity)

    def _filters_changed(self, accounts: set[int]) -> None:
        """Mastodon's `filters_changed` (no payload) to the `user` streams of whoever changed
        their filters: clients read them again."""
        for reader in self.readers:
            if reader.user is not None and reader.user.pk in accounts:
                for stream in reader.has(USER):
                    self.send(reader, stream, "filters_changed", None)

    # Live shop windows --------------------------------------------------------------------

    def _products(self, batch: Batch) -> None:
        """`storefeed.product` (the card as it is now, with the posts carrying it) on the user,
        public and products streams, and `status.update` of the posts carrying it where the
        reader's timelines show them."""
        wanted = [r for r in self.readers if r.has(USER, PRODUCTS, *PUBLIC)]
        if not wanted or not apps.is_installed("storefeed.catalog"):
            return
        from storefeed.catalog.selectors import live_product_cards

        def cards() -> list[tuple[Any, list[int]]]:
            found = live_product_cards(product_ids=sorted(batch.products))
            for seller in sorted(batch.sellers):
                found += live_product_cards(seller_id=seller)
            return found

        per_language: dict[tuple[str, str], list[dict[str, Any]]] = {}
        carrying: set[int] = set()
        for reader in wanted:
            key = (reader.base, reader.lang)
            if key not in per_language:
                r = Renderer(_Request(reader.base, reader.lang))
                with translation.override(reader.lang):
                    per_language[key] = [
                        {
                            **r.product_card(card),
                            "price_text": _price_text(card),
                            "status_ids": [str(s) for s in posts_],
                        }
                        for card, posts_ in cards()
                    ]
            for entity in per_language[key]:
                carrying.update(int(s) for s in entity["status_ids"])
                for stream in reader.has(USER, PRODUCTS, *PUBLIC):
                    self.send(reader, stream, PRODUCT_EVENT, entity)
        # The posts that carry them changed for their readers too (their cards' stock and
        # price): Mastodon's status.update, where the reader's timelines show them.
        for sid in sorted(carrying):
            self._public(sid, "status.update")
        self._home(carrying, "status.update")


def _shown(sids: list[int], page: Any) -> set[int]:
    """Which of `sids` (ascending) a timeline shows, read through `page(max_id=, since_id=,
    limit=)` (the timeline's own selector): in windows of at most MAX_PAGE ids, one page
    each; a window whose page comes back full may hold other posts between them, so its ids
    are then asked one by one."""
    found: set[int] = set()
    for start in range(0, len(sids), MAX_PAGE):
        window = sids[start : start + MAX_PAGE]
        try:
            got = page(max_id=window[-1] + 1, since_id=window[0] - 1, limit=MAX_PAGE)
            if len(got) >= MAX_PAGE:
                got = [g for sid in window for g in page(max_id=sid + 1, since_id=sid - 1, limit=1)]
        except DomainError:  # a list deleted meanwhile
            return set()
        found.update(set(got) & set(window))
    return found


def _price_text(card: Any) -> str:
    """The price as the web cards show it (in the active language)."""
    if card.price_fen is None:
        return ""
    if card.has_variants:
        return gettext("from %(price)s") % {"price": card.price_display}
    return str(card.price_display)


def route(
    events: Sequence[dict[str, Any]], readers: Sequence[Reader], notified: dict[int, int]
) -> list[Delivery]:
    """The messages a batch of events makes, for the connections `readers`."""
    if not readers or not events:
        return []
    return Router(readers, notified).deliveries(Batch.of(events))
