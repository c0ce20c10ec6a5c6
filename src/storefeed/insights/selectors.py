"""Reading the insight: a seller's totals, days, posts and products over a period.

Counts come from the daily rows only (`PostDay`, `ProductDay`), never from the buffers or the
orders, so a page costs a few indexed queries whatever the traffic. A seller's own totals
take impressions and taps from their posts' rows and carts, orders and money from their
products' rows (which count every sale, from a post or not).
"""

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.models import PostProduct, Product
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.insights.models import PostDay, ProductDay
from storefeed.posts.models import Status

MAX_DAYS = 366
LIMIT = 500
SUMMED = (
    "impressions",
    "taps",
    "carts",
    "orders",
    "paid_orders",
    "units",
    "revenue_fen",
    "refunded_fen",
)


@dataclass
class Counts:
    impressions: int = 0
    taps: int = 0
    carts: int = 0
    orders: int = 0
    paid_orders: int = 0
    units: int = 0
    revenue_fen: int = 0
    refunded_fen: int = 0
    currency: str = "CNY"

    def add(self, row: Any) -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + (_get(row, name) or 0))

    @property
    def conversion(self) -> float:
        """Paid orders per impression (0 without impressions)."""
        return self.paid_orders / self.impressions if self.impressions else 0.0

    @property
    def conversion_percent(self) -> str:
        return f"{100 * self.conversion:.2f}%"


@dataclass
class Line(Counts):
    """The counts of one post or product (or one day) over the period."""

    id: int = 0
    title: str = ""
    url: str = ""
    days: list["Day"] = field(default_factory=list)


@dataclass
class Day(Counts):
    date: dt.date = dt.date.min


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def parse_day(value: object, *, field_name: str) -> dt.date:
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            _("“%(value)s” is not a date like 2026-01-31.") % {"value": value}, field=field_name
        ) from None


def period(since: object = None, until: object = None) -> tuple[dt.date, dt.date]:
    """The days asked for, both included (YYYY-MM-DD): until today and the 30 days up to
    `until` when left out. Refused: a bad date, `since` after `until`, more than 366 days."""
    end = parse_day(until, field_name="until") if until else timezone.now().date()
    start = parse_day(since, field_name="since") if since else end - dt.timedelta(days=29)
    if start > end:
        raise ValidationFailed(_("“since” must not be after “until”."), field="since")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            _("Ask for at most %(days)s days at a time.") % {"days": MAX_DAYS}, field="since"
        )
    return start, end


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _lines(model: Any, id_field: str, ids: list[int], start: dt.date, end: dt.date) -> dict:
    lines: dict[int, Line] = {pk: Line(id=pk) for pk in ids}
    if not ids:
        return lines
    rows = (
        model.objects.filter(day__gte=start, day__lte=end, **{f"{id_field}__in": ids})
        .values(id_field)
        .annotate(**{name: Sum(name) for name in SUMMED})
    )
    for row in rows:
        lines[row[id_field]].add(row)
    return lines


def _post_ids(seller: User, start: dt.date, end: dt.date) -> list[int]:
    """The seller's product posts, and any post with counts in the period (a deleted one's
    counts stay), newest first."""
    live = set(
        PostProduct.objects.filter(status__account_id=seller.pk).values_list("status_id", flat=True)
    )
    counted = set(
        PostDay.objects.filter(seller_id=seller.pk, day__gte=start, day__lte=end).values_list(
            "status_id", flat=True
        )
    )
    return sorted(live | counted, reverse=True)[:LIMIT]


def _post_titles(lines: dict[int, Line]) -> None:
    for pk, text, username in Status.objects.filter(pk__in=list(lines)).values_list(
        "pk", "text", "account__username"
    ):
        line = lines[pk]
        line.title = _excerpt(text)
        line.url = f"/@{username}/{pk}"
    for line in lines.values():
        if not line.url:
            line.title = _("(deleted post)")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def posts_insight(*, seller: User, start: dt.date, end: dt.date) -> list[Line]:
    """Each of the seller's posts with its counts over the days `start`..`end`, newest first."""
    ids = _post_ids(seller, start, end)
    lines = _lines(PostDay, "status_id", ids, start, end)
    _post_titles(lines)
    return [lines[pk] for pk in ids]


def products_insight(*, seller: User, start: dt.date, end: dt.date) -> list[Line]:
    """Each of the seller's products with its counts, newest first."""
    products = list(
        Product.objects.filter(seller_id=seller.pk)
        .order_by("-pk")
        .values_list("pk", "title")[:LIMIT]
    )
    lines = _lines(ProductDay, "product_id", [pk for pk, _title in products], start, end)
    for pk, title in products:
        lines[pk].title = title
        lines[pk].url = f"/products/{pk}"
    return [lines[pk] for pk, _title in products]


def _with_days(line: Line, model: Any, match: dict, start: dt.date, end: dt.date) -> Line:
    days = {d: Day(date=d) for d in _days(start, end)}
    for row in model.objects.filter(day__gte=start, day__lte=end, **match).order_by("day"):
        days[row.day].add(row)
        line.add(row)
    line.days = list(days.values())
    return line


def post_insight(*, seller: User, status_id: int, start: dt.date, end: dt.date) -> Line:
    """One of the seller's posts, with its days; NotFound for anyone else's (or none)."""
    owner = Status.objects.filter(pk=status_id).values_list("account_id", flat=True).first()
    if owner is None:  # deleted: its counts are still the seller's
        owned = PostDay.objects.filter(status_id=status_id, seller_id=seller.pk).exists()
    else:
        owned = owner == seller.pk
    if not owned:
        raise NotFound(_("This post does not exist."), field="status_id")
    line = Line(id=status_id)
    _post_titles({status_id: line})
    return _with_days(line, PostDay, {"status_id": status_id}, start, end)


def product_insight(*, seller: User, product_id: int, start: dt.date, end: dt.date) -> Line:
    title = (
        Product.objects.filter(pk=product_id, seller_id=seller.pk)
        .values_list("title", flat=True)
        .first()
    )
    if title is None:
        raise NotFound(_("This product does not exist."), field="product_id")
    line = Line(id=product_id, title=title, url=f"/products/{product_id}")
    return _with_days(line, ProductDay, {"product_id": product_id}, start, end)


def seller_days(*, seller: User, start: dt.date, end: dt.date) -> list[Day]:
    """The seller's totals per day: impressions and taps of their posts; carts, orders and
    money of their products."""
    days = {d: Day(date=d) for d in _days(start, end)}
    window = {"seller_id": seller.pk, "day__gte": start, "day__lte": end}
    seen = ("impressions", "taps")
    money = ("carts", "orders", "paid_orders", "units", "revenue_fen", "refunded_fen")
    for model, names in ((PostDay, seen), (ProductDay, money)):
        rows: Any = (
            model.objects.filter(**window).values("day").annotate(**{n: Sum(n) for n in names})
        )
        for row in rows:
            day = days[row["day"]]
            for name in names:
                setattr(day, name, getattr(day, name) + (row[name] or 0))
    return list(days.values())


def total(days: list[Day]) -> Counts:
    counts = Counts()
    for day in days:
        counts.add(day)
    return counts


def count_names() -> list[str]:
    return [f.name for f in fields(Counts) if f.name != "currency"]


def day_rows(*, seller: User, kind: str, start: dt.date, end: dt.date) -> list[Any]:
    """Every daily row of the seller's posts (`kind` "posts") or products over the period, by
    day then id: what the CSV export writes."""
    model = PostDay if kind == "posts" else ProductDay
    id_field = "status_id" if kind == "posts" else "product_id"
    return list(
        model.objects.filter(seller_id=seller.pk, day__gte=start, day__lte=end).order_by(
            "day", id_field
        )
    )
