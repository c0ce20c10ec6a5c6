"""The hot list: folding recent activity into trend scores, in the worker, every minute.

Each run (`trends_refresh`, a periodic task) reads the activity since the last run (likes,
reposts and replies of public original posts, public posts using a tag, and purchases through
commerce's hook), keeps one `TrendContribution` per account and item (a unique key, so one
account counts once per item however often it acts, and re-reading an overlap counts nothing
twice), and adds the new contributions to each item's score overall and in its field.

Time decay without rewriting every row: a contribution of weight w made at time t is worth
w * 2 ** ((t - EPOCH) / HALF_LIFE) forever after, and `Trend.score` keeps the base-2 logarithm
of the sum. Dividing every item by the same 2 ** ((now - EPOCH) / HALF_LIFE) does not change
the order, so ordering by the stored score is ordering by the decayed score now, whichever
rows the run touched; rows decayed below MIN_WEIGHT are pruned. Reasons ("1,240 reposts in
the last 2 hours") are counted for the entries near the top of each list and stored as values,
worded when read in the reader's language.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.discovery import hooks
from storefeed.discovery.models import (
    Signal,
    Trend,
    TrendContribution,
    TrendKind,
    TrendState,
)
from storefeed.posts.models import Favourite, Status, StatusTag, Visibility

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HALF_LIFE = dt.timedelta(hours=2)
# How long a contribution is kept: the dedup window and the longest reason window.
WINDOW = dt.timedelta(hours=24)
# Re-read this much before the last run, so a transaction that committed late is not missed
# (the unique key makes the overlap harmless).
OVERLAP = dt.timedelta(minutes=2)
FIRST_LOOK = dt.timedelta(hours=2)  # how far back a site's first run looks
MIN_WEIGHT = 0.25  # an entry decayed below a quarter of a like is dropped
TOP = 60  # entries per list whose reasons are kept current
WEIGHTS = {
    Signal.USE: 1.0,
    Signal.LIKE: 1.0,
    Signal.REPLY: 2.0,
    Signal.REBLOG: 3.0,
    Signal.PURCHASE: 5.0,
}
# The reason's window, by signal: sales per hour, the rest per two hours.
REASON_HOURS = {Signal.PURCHASE: 1}
DEFAULT_REASON_HOURS = 2
HISTORY_DAYS = 7
CHUNK = 2_000


@dataclass(frozen=True)
class Event:
    kind: str
    item_id: int
    account_id: int
    author_id: int  # whose item it is (the product's seller, a tag's user)
    signal: str
    at: dt.datetime
    amount: int = 1
    field_id: int | None = None  # when the item's field is not its author's expert field


def log_weight(weight: float, at: dt.datetime) -> float:
    """log2 of a contribution's worth on the fixed epoch's scale."""
    return math.log2(weight) + (at - EPOCH) / HALF_LIFE


def now_floor(now: dt.datetime) -> float:
    """The stored score an entry must reach to be worth MIN_WEIGHT now."""
    return log_weight(MIN_WEIGHT, now)


def _log_add(a: float | None, b: float) -> float:
    if a is None:
        return b
    high, low = max(a, b), min(a, b)
    return high + math.log2(1.0 + 2.0 ** (low - high))


def _original_public() -> Q:
    return Q(visibility=Visibility.PUBLIC, reblog_of__isnull=True, in_reply_to__isnull=True)


def _events(since: dt.datetime, until: dt.datetime) -> list[Event]:
    """Everything done in (since, until] that can make an item trend: five indexed reads."""
    events: list[Event] = []
    window = {"created_at__gt": since, "created_at__lte": until}
    originals = Status.objects.filter(_original_public(), account__is_active=True)
    for status_id, account_id, author_id, at in Favourite.objects.filter(
        status__in=originals, **window
    ).values_list("status_id", "account_id", "status__account_id", "created_at"):
        events.append(Event(TrendKind.STATUS, status_id, account_id, author_id, Signal.LIKE, at))
    for status_id, account_id, author_id, at in Status.objects.filter(
        reblog_of__in=originals, **window
    ).values_list("reblog_of_id", "account_id", "reblog_of__account_id", "created_at"):
        events.append(Event(TrendKind.STATUS, status_id, account_id, author_id, Signal.REBLOG, at))
    for status_id, account_id, author_id, at in Status.objects.filter(
        in_reply_to__in=originals, reblog_of__isnull=True, **window
    ).values_list("in_reply_to_id", "account_id", "in_reply_to__account_id", "created_at"):
        events.append(Event(TrendKind.STATUS, status_id, account_id, author_id, Signal.REPLY, at))
    for tag_id, account_id, at in StatusTag.objects.filter(
        status__visibility=Visibility.PUBLIC,
        status__reblog_of__isnull=True,
        status__account__is_active=True,
        status__created_at__gt=since,
        status__created_at__lte=until,
    ).values_list("tag_id", "status__account_id", "status__created_at"):
        events.append(Event(TrendKind.TAG, tag_id, account_id, account_id, Signal.USE, at))
    for p in hooks.purchases(since, until):
        events.append(
            Event(
                TrendKind.PRODUCT,
                p.product_id,
                p.buyer_id,
                p.seller_id,
                Signal.PURCHASE,
                p.at,
                amount=p.quantity,
                field_id=p.field_id,
            )
        )
    # Nobody makes their own post trend by liking or replying to it.
    return [e for e in events if e.kind == TrendKind.TAG or e.account_id != e.author_id]


def _fields_of(account_ids: Iterable[int]) -> dict[int, int]:
    """The verified expert field of each account that has one."""
    return dict(
        User.objects.filter(
            pk__in=set(account_ids),
            expert_field__isnull=False,
            expert_verified_at__isnull=False,
        ).values_list("pk", "expert_field_id")
    )


def trends_refresh(*, now: dt.datetime | None = None) -> int:
    """Fold the activity since the last run into the trends; return how many contributions
    counted. Idempotent: a second run over the same activity counts nothing again."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        state, _created = TrendState.objects.select_for_update().get_or_create(pk=1)
        since = (state.folded_until - OVERLAP) if state.folded_until else now - FIRST_LOOK
        run = state.run + 1
        events = _events(since, now)
        fields = _fields_of(e.author_id for e in events if e.field_id is None)
        _insert_contributions(
            (e.kind, e.item_id, e.account_id, e.field_id or fields.get(e.author_id),
             e.signal, e.amount, e.at, run)
            for e in events
        )  # fmt: skip
        added = _fold(run, now)
        _prune(now)
        _reasons(now)
        state.run, state.folded_until = run, now
        state.save(update_fields=["run", "folded_until"])
    return added


def _fold(run: int, now: dt.datetime) -> int:
    """Add the contributions this run inserted (the conflicts were not) to the scores."""
    gains: dict[tuple[str, int, int], float] = {}
    count = 0
    for kind, item_id, field_id, signal, at in TrendContribution.objects.filter(
        run=run
    ).values_list("kind", "item_id", "field_id", "signal", "at"):
        count += 1
        gain = log_weight(WEIGHTS[Signal(signal)], at)
        for scope in {0, field_id or 0}:
            key = (kind, item_id, scope)
            gains[key] = _log_add(gains.get(key), gain)
    if not gains:
        return 0
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, item_id, _scope in gains:
        by_kind[kind].add(item_id)
    existing: dict[tuple[str, int, int], float] = {}
    for kind, item_ids in by_kind.items():
        ordered = sorted(item_ids)
        for start in range(0, len(ordered), CHUNK):  # SQLite bounds the parameters
            for item_id, field_id, score in Trend.objects.filter(
                kind=kind, item_id__in=ordered[start : start + CHUNK]
            ).values_list("item_id", "field_id", "score"):
                existing[(kind, item_id, field_id)] = score
    _upsert_scores(
        (kind, item_id, field_id, _log_add(existing.get((kind, item_id, field_id)), gain), now)
        for (kind, item_id, field_id), gain in gains.items()
    )
    return count


# Plain SQL for the run's writes: the ORM's bulk_create and bulk_update spent most of a run
# building statements (bench/trends_refresh.py). Portable: SQLite (3.24+) and PostgreSQL both
# take ON CONFLICT ... DO NOTHING / DO UPDATE with `excluded`.


def _executemany(statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
    prepared = list(rows)
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(statement, prepared)


def _insert_contributions(rows: Iterable[tuple[Any, ...]]) -> None:
    """(kind, item_id, account_id, field_id, signal, amount, at, run) rows; one that repeats
    an (item, account) pair already counted is dropped by the unique key."""
    at = connection.ops.adapt_datetimefield_value
    _executemany(
        f"INSERT INTO {sql.table(TrendContribution)}"  # noqa: S608
        " (kind, item_id, account_id, field_id, signal, amount, at, run)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (kind, item_id, account_id) DO NOTHING",
        ((*row[:6], at(row[6]), row[7]) for row in rows),
    )


def _upsert_scores(rows: Iterable[tuple[str, int, int, float, dt.datetime]]) -> None:
    """(kind, item_id, field_id, score, updated_at) rows: new entries, or new scores."""
    at = connection.ops.adapt_datetimefield_value
    history = Trend._meta.get_field("history").get_db_prep_save([], connection)
    _executemany(
        f"INSERT INTO {sql.table(Trend)}"  # noqa: S608
        " (kind, item_id, field_id, score, updated_at, accounts, reason_signal, reason_count,"
        " reason_hours, history) VALUES (%s, %s, %s, %s, %s, 0, '', 0, 0, %s)"
        " ON CONFLICT (kind, item_id, field_id)"
        " DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at",
        ((kind, item, field, score, at(when), history) for kind, item, field, score, when in rows),
    )


def _prune(now: dt.datetime) -> None:
    TrendContribution.objects.filter(at__lt=now - WINDOW).delete()
    Trend.objects.filter(score__lt=now_floor(now)).delete()


def _reasons(now: dt.datetime) -> None:
    """Count the reasons (and tags' daily history) of the entries near the top of each list:
    one aggregate per kind, whatever the number of fields."""
    scopes = Trend.objects.values_list("kind", "field_id").distinct()
    tops: dict[str, set[int]] = defaultdict(set)
    for kind, field_id in scopes:
        tops[kind].update(
            Trend.objects.filter(kind=kind, field_id=field_id)
            .order_by("-score")
            .values_list("item_id", flat=True)[:TOP]
        )
    gone = set(tops[TrendKind.STATUS]) - set(
        Status.objects.filter(pk__in=tops[TrendKind.STATUS]).values_list("pk", flat=True)
    )
    if gone:
        # Deleted posts: reads already leave them out; their rows go now.
        Trend.objects.filter(kind=TrendKind.STATUS, item_id__in=gone).delete()
        TrendContribution.objects.filter(kind=TrendKind.STATUS, item_id__in=gone).delete()
    for kind, item_ids in tops.items():
        _reasons_of(kind, sorted(item_ids - gone if kind == TrendKind.STATUS else item_ids), now)


def _reasons_of(kind: str, item_ids: list[int], now: dt.datetime) -> None:
    short = {s: now - dt.timedelta(hours=REASON_HOURS.get(s, DEFAULT_REASON_HOURS)) for s in Signal}
    recent_q = Q()
    for signal, start in short.items():
        recent_q |= Q(signal=signal, at__gte=start)
    counts: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    accounts: dict[int, int] = defaultdict(int)
    rows = (
        TrendContribution.objects.filter(kind=kind, item_id__in=item_ids)
        .values("item_id", "signal")
        .annotate(
            n=Count("pk"),
            units=Sum("amount"),
            recent=Count("pk", filter=recent_q),
            recent_units=Sum("amount", filter=recent_q),
        )
    )
    for row in rows:
        is_sale = row["signal"] == Signal.PURCHASE
        total = row["units"] if is_sale else row["n"]
        recent = (row["recent_units"] or 0) if is_sale else row["recent"]
        counts[row["item_id"]][row["signal"]] = (recent, total)
        accounts[row["item_id"]] += row["n"]
    history = _tag_history(item_ids, now) if kind == TrendKind.TAG else {}
    history_field = Trend._meta.get_field("history")
    updates = []
    for pk, item_id in Trend.objects.filter(kind=kind, item_id__in=item_ids).values_list(
        "pk", "item_id"
    ):
        reason, count, hours = _reason(counts.get(item_id, {}))
        days = history.get(item_id, []) if kind == TrendKind.TAG else []
        updates.append(
            (reason, count, hours, accounts.get(item_id, 0),
             history_field.get_db_prep_save(days, connection), pk)
        )  # fmt: skip
    _executemany(
        f"UPDATE {sql.table(Trend)} SET reason_signal = %s, reason_count = %s,"  # noqa: S608
        " reason_hours = %s, accounts = %s, history = %s WHERE id = %s",
        updates,
    )


def _reason(signals: dict[str, tuple[int, int]]) -> tuple[str, int, int]:
    """The signal that carried the item most (by weight), counted in its short window when
    anything happened there, else over the whole window."""
    if not signals:
        return "", 0, 0
    recent = {s: c for s, (c, _total) in signals.items() if c}
    if recent:
        best = max(recent, key=lambda s: (recent[s] * WEIGHTS[Signal(s)], s))
        return best, recent[best], REASON_HOURS.get(Signal(best), DEFAULT_REASON_HOURS)
    best = max(signals, key=lambda s: (signals[s][1] * WEIGHTS[Signal(s)], s))
    return best, signals[best][1], int(WINDOW.total_seconds() // 3600)


def _tag_history(tag_ids: list[int], now: dt.datetime) -> dict[int, list[dict[str, str]]]:
    """Mastodon's tag history: uses and distinct accounts per day, newest day first."""
    start = (now - dt.timedelta(days=HISTORY_DAYS - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    rows = (
        StatusTag.objects.filter(
            tag_id__in=tag_ids,
            status__created_at__gte=start,
            status__visibility=Visibility.PUBLIC,
            status__reblog_of__isnull=True,
        )
        .annotate(day=TruncDate("status__created_at", tzinfo=dt.UTC))
        .values("tag_id", "day")
        .annotate(uses=Count("pk"), accounts=Count("status__account_id", distinct=True))
    )
    found: dict[tuple[int, dt.date], tuple[int, int]] = {
        (r["tag_id"], r["day"]): (r["uses"], r["accounts"]) for r in rows
    }
    history: dict[int, list[dict[str, str]]] = {}
    for tag_id in tag_ids:
        days = []
        for back in range(HISTORY_DAYS):
            day = (now - dt.timedelta(days=back)).date()
            uses, users = found.get((tag_id, day), (0, 0))
            stamp = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
            days.append({"day": str(stamp), "uses": str(uses), "accounts": str(users)})
        history[tag_id] = days
    return history
