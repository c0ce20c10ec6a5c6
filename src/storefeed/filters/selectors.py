"""Reads of filters: a reader's filters as listed, and the compiled form the read paths
apply to every page (`active_filters`).

`active_filters` costs one query per page: the ids and versions of the reader's filters in
force and their muted threads. The keywords are compiled into regular expressions once per
set of versions and kept in this process (a bounded map), so a page whose reader changed
nothing reads no keyword and compiles nothing."""

import datetime as dt
import html
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from threading import Lock
from typing import Any

from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.filters.models import DomainBlock, Filter, FilterKeyword, FilterStatus, ThreadMute
from storefeed.posts.models import MediaAttachment, Poll, Status

CACHE_SIZE = 2000
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<(?:br|/p)\s*/?>", re.I)


@dataclass(frozen=True)
class Keyword:
    id: int
    keyword: str
    whole_word: bool
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Compiled:
    """One filter in force, ready to match."""

    id: int
    title: str
    context: tuple[str, ...]
    action: str
    expires_at: dt.datetime | None
    keywords: tuple[Keyword, ...]
    statuses: tuple[tuple[int, int], ...]  # (FilterStatus id, status id)
    any_keyword: re.Pattern[str] | None  # all keywords at once: a quick "no"
    status_ids: frozenset[int] = field(default_factory=frozenset)

    def keyword_matches(self, text: str) -> list[str]:
        if self.any_keyword is None or not self.any_keyword.search(text):
            return []
        return [k.keyword for k in self.keywords if k.pattern.search(text)]


@dataclass(frozen=True)
class ActiveFilters:
    """What the reader asked not to see: filters in force, and the first posts of the threads
    they muted."""

    filters: tuple[Compiled, ...] = ()
    muted_threads: frozenset[int] = frozenset()

    def for_context(self, context: str) -> list[Compiled]:
        return [f for f in self.filters if context in f.context]


NOTHING = ActiveFilters()
_cache: "OrderedDict[tuple[int, tuple[tuple[int, int], ...]], tuple[Compiled, ...]]" = OrderedDict()
_lock = Lock()


def keyword_pattern(keyword: str, *, whole_word: bool) -> str:
    """Mastodon's rule: a whole word is bounded by `\\b` on each side that starts or ends
    with a word character; any keyword matches regardless of case."""
    body = re.escape(keyword)
    if not whole_word:
        return body
    start = r"\b" if re.match(r"\w", keyword) else ""
    end = r"\b" if re.search(r"\w\Z", keyword) else ""
    return f"{start}{body}{end}"


def _compile(rows: Sequence[tuple[int, str, Any, str, dt.datetime | None]]) -> tuple[Compiled, ...]:
    ids = [r[0] for r in rows]
    keywords: dict[int, list[Keyword]] = {}
    for kw in FilterKeyword.objects.filter(filter_id__in=ids).order_by("id"):
        pattern = re.compile(keyword_pattern(kw.keyword, whole_word=kw.whole_word), re.I)
        keywords.setdefault(kw.filter_id, []).append(
            Keyword(kw.pk, kw.keyword, kw.whole_word, pattern)
        )
    statuses: dict[int, list[tuple[int, int]]] = {}
    for pk, filter_id, status_id in (
        FilterStatus.objects.filter(filter_id__in=ids)
        .order_by("id")
        .values_list("pk", "filter_id", "status_id")
    ):
        statuses.setdefault(filter_id, []).append((pk, status_id))
    compiled = []
    for pk, title, context, action, expires_at in rows:
        kws = tuple(keywords.get(pk, ()))
        any_keyword = re.compile("|".join(k.pattern.pattern for k in kws), re.I) if kws else None
        sts = tuple(statuses.get(pk, ()))
        compiled.append(
            Compiled(
                id=pk,
                title=title,
                context=tuple(context),
                action=action,
                expires_at=expires_at,
                keywords=kws,
                statuses=sts,
                any_keyword=any_keyword,
                status_ids=frozenset(s for _row, s in sts),
            )
        )
    return tuple(compiled)


def active_filters(viewer_id: int | None) -> ActiveFilters:
    """The reader's filters in force and muted threads: one query, the compiled keywords
    cached by the filters' versions."""
    if viewer_id is None:
        return NOTHING
    filters, mutes = sql.table(Filter), sql.table(ThreadMute)
    now = sql.datetime_param(timezone.now())
    query = f"""SELECT 'f', id, version FROM {filters}
            WHERE account_id = %s AND (expires_at IS NULL OR expires_at > %s)
        UNION ALL SELECT 'm', status_id, 0 FROM {mutes} WHERE account_id = %s"""  # noqa: S608
    found = sql.rows(query, [viewer_id, now, viewer_id])
    versions = tuple(sorted((pk, version) for kind, pk, version in found if kind == "f"))
    muted = frozenset(pk for kind, pk, _v in found if kind == "m")
    if not versions:
        return ActiveFilters(muted_threads=muted) if muted else NOTHING
    key = (viewer_id, versions)
    with _lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
    if compiled is None:
        rows = list(
            Filter.objects.filter(pk__in=[pk for pk, _v in versions])
            .order_by("id")
            .values_list("pk", "title", "context", "action", "expires_at")
        )
        compiled = _compile(rows)
        with _lock:
            _cache[key] = compiled
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return ActiveFilters(filters=compiled, muted_threads=muted)


def filters_of(*, account: User) -> list[Filter]:
    """The account's filters (expired ones too, as Mastodon lists them), oldest first, with
    keywords and posts."""
    return list(
        Filter.objects.filter(account=account)
        .prefetch_related("keywords", "statuses")
        .order_by("id")
    )


def filter_of(*, account: User, filter_id: int) -> Filter | None:
    return (
        Filter.objects.filter(account=account, pk=filter_id)
        .prefetch_related("keywords", "statuses")
        .first()
    )


def keywords_of(*, account: User, ids: Iterable[int] | None = None) -> list[FilterKeyword]:
    qs = FilterKeyword.objects.filter(filter__account=account).select_related("filter")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs.order_by("id"))


def domain_blocks_of(
    *, account: User, max_id: int | None = None, since_id: int | None = None, limit: int = 100
) -> list[DomainBlock]:
    qs = DomainBlock.objects.filter(account=account)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    return list(qs.order_by("-pk")[:limit])


def searchable_text(
    *, spoiler_text: str, content_html: str, options: Iterable[str], descriptions: Iterable[str]
) -> str:
    """What filters match in a post, as Mastodon matches it: the content warning, the text
    (HTML tags removed), the poll's options and the images' descriptions."""
    content = html.unescape(_TAG.sub("", _BREAK.sub("\n", content_html or "")))
    parts = [spoiler_text or "", content, *options, *descriptions]
    return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Match:
    filter: Compiled
    keyword_matches: list[str]
    status_matches: list[int]


def matches(filters: Sequence[Compiled], *, status_id: int, text: Callable[[], str]) -> list[Match]:
    """The filters among `filters` that match post `status_id` (`text()` read only if a filter
    has keywords)."""
    found = []
    shown: str | None = None
    for f in filters:
        words: list[str] = []
        if f.keywords:
            if shown is None:
                shown = text()
            words = f.keyword_matches(shown)
        by_id = [status_id] if status_id in f.status_ids else []
        if words or by_id:
            found.append(Match(f, words, by_id))
    return found


def status_matches(
    *,
    viewer_id: int,
    status_ids: Sequence[int],
    context: str,
    filters: ActiveFilters | None = None,
) -> dict[int, list[Match]]:
    """For pages built from models (the web pages): which of `status_ids` (posts themselves,
    not reposts) the viewer's filters in force for `context` match. One query when nothing
    applies; three more (the posts' text, polls, image descriptions) when keywords do."""
    active = (filters or active_filters(viewer_id)).for_context(context)
    if not active or not status_ids:
        return {}
    ids = sorted(set(status_ids))
    rows = {
        pk: (account_id, spoiler, content)
        for pk, account_id, spoiler, content in Status.objects.filter(pk__in=ids).values_list(
            "pk", "account_id", "spoiler_text", "content"
        )
    }
    options: dict[int, list[str]] = {}
    descriptions: dict[int, list[str]] = {}
    if any(f.keywords for f in active):
        for sid, opts in Poll.objects.filter(status_id__in=ids).values_list("status_id", "options"):
            options[sid] = [str(o) for o in opts or []]
        for sid, text in MediaAttachment.objects.filter(status_id__in=ids).values_list(
            "status_id", "description"
        ):
            descriptions.setdefault(sid, []).append(text)
    found: dict[int, list[Match]] = {}
    for pk, (account_id, spoiler, content) in rows.items():
        if account_id == viewer_id:
            continue  # one's own posts are never filtered
        hits = matches(
            active,
            status_id=pk,
            text=partial(
                searchable_text,
                spoiler_text=spoiler,
                content_html=content,
                options=options.get(pk, []),
                descriptions=descriptions.get(pk, []),
            ),
        )
        if hits:
            found[pk] = hits
    return found
