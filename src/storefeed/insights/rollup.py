"""The worker's half of counting: buffers and orders into the daily rows, within a minute.

`insights_rollup` (every 30 s from `storefeed beat`) does three things, each idempotent:

- impressions: for every (day, post) seen since the last run, the number of distinct viewers
  that day, written as a whole count (so running twice changes nothing): Redis's PFCOUNT of
  the post's HyperLogLog, or COUNT(DISTINCT viewer) over the day's `Seen` rows; and for each
  product those posts carry, the distinct viewers of any post carrying it that day (PFCOUNT of
  the union, or the same over a join). `Seen` rows of days before yesterday are deleted.
- taps and adds to cart: the `Event` rows are added to the days' counts and deleted in the
  same transaction.
- orders: the order events since the last run name the orders that moved; every (day, post)
  and (day, product) they touch is recounted from the orders themselves (placed, paid, units,
  revenue of paid orders, refunded:
  paid and then refunded or cancelled), again as whole counts. A day is the day the order was placed (UTC).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from storefeed.catalog.models import PostProduct, Product
from storefeed.core import sql
from storefeed.insights import counting
from storefeed.insights.models import Event, Mark, PostDay, ProductDay, Seen
from storefeed.orders.models import OrderEvent, OrderItem, OrderState
from storefeed.posts.models import Status

BATCH = 2000
Key = tuple[dt.date, int]


def insights_rollup() -> dict[str, int]:
    """Everything counted since the last run, into PostDay and ProductDay."""
    counting.flush()  # this process's own pending impressions (the demo's, a test's)
    return {
        "impressions": _impressions(),
        "events": _events(),
        "orders": _orders(),
    }


# --- Writing whole counts ----------------------------------------------------------------------


def _owners(model: Any, ids: Iterable[int]) -> dict[int, int]:
    ids = set(ids)
    if not ids:
        return {}
    if model is PostDay:
        return dict(Status.objects.filter(pk__in=ids).values_list("pk", "account_id"))
    return dict(Product.objects.filter(pk__in=ids).values_list("pk", "seller_id"))


def _set(model: Any, values: dict[Key, dict[str, int]], *, add: bool = False) -> None:
    """Write `values` ((day, id) -> field -> count) into `model`'s rows: as they are, or added
    to what is there (`add`). Rows of posts or products since deleted are skipped."""
    if not values:
        return
    id_field = "status_id" if model is PostDay else "product_id"
    owners = _owners(model, {pk for _day, pk in values})
    days = {day for day, _pk in values}
    ids = set(owners)
    existing = {
        (row.day, getattr(row, id_field)): row
        for row in model.objects.filter(day__in=days, **{f"{id_field}__in": ids})
    }
    fresh, changed, fields = [], [], set()
    for (day, pk), counts in values.items():
        if pk not in owners:
            continue
        row = existing.get((day, pk))
        if row is None:
            fresh.append(model(day=day, seller_id=owners[pk], **{id_field: pk}, **counts))
            continue
        for name, count in counts.items():
            setattr(row, name, getattr(row, name) + count if add else count)
            fields.add(name)
        changed.append(row)
    with transaction.atomic():
        if fresh:
            # A row created by a concurrent run in between is counted by the next run.
            model.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
        if changed:
            model.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)


# --- Impressions -------------------------------------------------------------------------------


def _impressions() -> int:
    if counting.buffer_kind() == "redis":
        return _impressions_redis()
    return _impressions_sql()


def _carried(status_ids: Iterable[int]) -> dict[int, list[int]]:
    """product -> every post carrying it, for the products the posts `status_ids` carry."""
    products = set(
        PostProduct.objects.filter(
            status_id__in=set(status_ids), product_id__isnull=False
        ).values_list("product_id", flat=True)
    )
    posts: dict[int, list[int]] = defaultdict(list)
    for status_id, product_id in PostProduct.objects.filter(product_id__in=products).values_list(
        "status_id", "product_id"
    ):
        posts[product_id].append(status_id)
    return posts


def _impressions_redis() -> int:
    """The posts marked since the last run: the mark set is renamed away first (atomic), so a
    page that marks a post meanwhile marks it for the next run; a run that died leaves its
    set behind, and the next run finishes it first."""
    import redis

    client = counting.redis_client(settings.REDIS_URL)
    if not client.exists(counting.WORKING):
        try:
            client.rename(counting.DIRTY, counting.WORKING)
        except redis.ResponseError:  # nothing marked
            return 0
    done = 0
    batch: set[Key] = set()
    for raw in client.sscan_iter(counting.WORKING, count=BATCH):
        day, _, status_id = raw.decode().partition(":")
        batch.add((dt.date.fromisoformat(day), int(status_id)))
        if len(batch) >= BATCH:
            done += _count_redis(client, batch)
            batch = set()
    done += _count_redis(client, batch)
    client.delete(counting.WORKING)
    return done


def _count_redis(client: Any, dirty: set[Key]) -> int:
    if not dirty:
        return 0
    order = sorted(dirty)
    pipe = client.pipeline(transaction=False)
    for day, status_id in order:
        pipe.pfcount(counting.seen_key(day, status_id))
    posts = {key: {"impressions": n} for key, n in zip(order, pipe.execute(), strict=True)}
    _set(PostDay, posts)
    carriers = _carried({pk for _day, pk in dirty})
    wanted = sorted(
        {
            (day, product)
            for product, statuses in carriers.items()
            for day, pk in dirty
            if pk in statuses
        }
    )
    pipe = client.pipeline(transaction=False)
    for day, product in wanted:
        pipe.pfcount(*[counting.seen_key(day, pk) for pk in carriers[product]])
    products = {key: {"impressions": n} for key, n in zip(wanted, pipe.execute(), strict=True)}
    _set(ProductDay, products)
    return len(dirty)


def _impressions_sql() -> int:
    mark, _ = Mark.objects.get_or_create(name="seen")
    last = Seen.objects.order_by("-id").values_list("id", flat=True).first()
    if last is None or last <= mark.value:
        return 0
    dirty = set(
        Seen.objects.filter(id__gt=mark.value, id__lte=last)
        .values_list("day", "status_id")
        .distinct()
    )
    days = sorted({day for day, _pk in dirty})
    ids = sorted({pk for _day, pk in dirty})
    posts: dict[Key, dict[str, int]] = {}
    for day, status_id, n in _distinct_viewers(days, "s.status_id", "", ids):
        if (_date(day), status_id) in dirty:
            posts[_date(day), status_id] = {"impressions": n}
    _set(PostDay, posts)
    carriers = _carried(ids)
    products: dict[Key, dict[str, int]] = {}
    if carriers:
        join = f" JOIN {sql.table(PostProduct)} pp ON pp.status_id = s.status_id"
        for day, product_id, n in _distinct_viewers(
            days, "pp.product_id", join, sorted(carriers), where="pp.product_id"
        ):
            products[_date(day), product_id] = {"impressions": n}
    _set(ProductDay, products)
    Mark.objects.filter(name="seen").update(value=last)
    # A day's distinct count needs the whole day: keep today's and yesterday's rows only.
    Seen.objects.filter(day__lt=timezone.now().date() - dt.timedelta(days=1)).delete()
    return len(dirty)


def _distinct_viewers(
    days: list[dt.date], group: str, join: str, ids: list[int], *, where: str = "s.status_id"
) -> list[tuple[Any, int, int]]:
    found: list[tuple[Any, int, int]] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found += sql.rows(
            f"SELECT s.day, {group}, COUNT(DISTINCT s.viewer) FROM {sql.table(Seen)} s{join} "  # noqa: S608
            f"WHERE s.day IN ({sql.placeholders(days)}) AND {where} IN ({sql.placeholders(chunk)})"
            f" GROUP BY s.day, {group}",
            [*days, *chunk],
        )
    return found


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# --- Taps and adds to cart ---------------------------------------------------------------------


def _events() -> int:
    with transaction.atomic():
        last = Event.objects.order_by("-id").values_list("id", flat=True).first()
        if last is None:
            return 0
        rows = list(
            Event.objects.filter(id__lte=last)
            .values("day", "kind", "status_id", "product_id")
            .annotate(n=Count("id"))
        )
        posts: dict[Key, dict[str, int]] = defaultdict(lambda: {"taps": 0, "carts": 0})
        products: dict[Key, dict[str, int]] = defaultdict(lambda: {"taps": 0, "carts": 0})
        for row in rows:
            field = "taps" if row["kind"] == "tap" else "carts"
            if row["status_id"] is not None:
                posts[row["day"], row["status_id"]][field] += row["n"]
            if row["product_id"] is not None:
                products[row["day"], row["product_id"]][field] += row["n"]
        _set(PostDay, dict(posts), add=True)
        _set(ProductDay, dict(products), add=True)
        Event.objects.filter(id__lte=last).delete()
        return sum(row["n"] for row in rows)


# --- Orders ------------------------------------------------------------------------------------


def _orders() -> int:
    with transaction.atomic():
        mark, _ = Mark.objects.select_for_update().get_or_create(name="order_events")
        last = OrderEvent.objects.order_by("-id").values_list("id", flat=True).first()
        if last is None or last <= mark.value:
            return 0
        order_ids = set(
            OrderEvent.objects.filter(id__gt=mark.value, id__lte=last).values_list(
                "order_id", flat=True
            )
        )
        moved = order_counts(order_ids=order_ids)
        _set(PostDay, moved[0])
        _set(ProductDay, moved[1])
        mark.value = last
        mark.save(update_fields=["value"])
        return len(order_ids)


def order_counts(
    *, order_ids: Iterable[int] | None = None
) -> tuple[dict[Key, dict[str, int]], dict[Key, dict[str, int]]]:
    """Whole order counts of every (day, post) and (day, product) the orders `order_ids`
    touch (all of them, with None)."""
    items = OrderItem.objects.all()
    if order_ids is not None:
        items = items.filter(order_id__in=set(order_ids))
    touched = items.annotate(day=TruncDate("order__created_at", tzinfo=dt.UTC))
    post_keys: set[Key] = {
        (day, pk) for day, pk in touched.values_list("day", "source_status_id") if pk is not None
    }
    product_keys = set(touched.values_list("day", "product_id"))
    return (
        _recount(post_keys, "source_status_id"),
        _recount(product_keys, "product_id"),
    )


def _recount(keys: set[Key], field: str) -> dict[Key, dict[str, int]]:
    if not keys:
        return {}
    paid = Q(order__paid_at__isnull=False)
    # Money given back: refunded, or paid and then cancelled (cancelling refunds in full).
    refunded = paid & Q(order__state__in=[OrderState.REFUNDED, OrderState.CANCELLED])
    line = F("quantity") * F("unit_price_fen")
    rows = (
        OrderItem.objects.annotate(day=TruncDate("order__created_at", tzinfo=dt.UTC))
        .filter(day__in={day for day, _pk in keys}, **{f"{field}__in": {pk for _d, pk in keys}})
        .values("day", field)
        .annotate(
            orders=Count("order_id", distinct=True),
            paid_orders=Count("order_id", distinct=True, filter=paid),
            units=Sum("quantity", filter=paid, default=0),
            revenue_fen=Sum(line, filter=paid, default=0),
            refunded_fen=Sum(line, filter=refunded, default=0),
        )
    )
    counts: dict[Key, dict[str, int]] = {
        key: {
            "orders": 0,
            "paid_orders": 0,
            "units": 0,
            "revenue_fen": 0,
            "refunded_fen": 0,
        }
        for key in keys
    }
    for row in rows:
        key = (row.pop("day"), row.pop(field))
        if key in counts:
            counts[key] = {name: int(value or 0) for name, value in row.items()}
    return counts
