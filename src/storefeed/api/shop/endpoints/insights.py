"""Seller insight: the funnel of the signed-in seller's posts and products, per day.

Counts only, never who: impressions are distinct viewers per post and day, rolled up by the
worker within a minute (see docs/architecture.md, "Seller insight")."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from storefeed.api.shop.auth import READ, account_of
from storefeed.api.shop.common import ERRORS, amount, to_id
from storefeed.insights import selectors
from storefeed.insights.selectors import Counts

router = Router(tags=["insights"])


class PeriodQuery(Schema):
    since: str | None = None  # YYYY-MM-DD; the 30 days up to `until` when left out
    until: str | None = None  # YYYY-MM-DD; today when left out


class InsightCountsOut(Schema):
    impressions: int
    taps: int
    carts: int
    orders: int
    paid_orders: int
    units: int
    revenue: str
    refunded: str


class InsightDayOut(InsightCountsOut):
    date: str


class PostInsightOut(InsightCountsOut):
    status_id: str


class PostInsightDaysOut(PostInsightOut):
    days: list[InsightDayOut]


class ProductInsightOut(InsightCountsOut):
    product_id: str


class ProductInsightDaysOut(ProductInsightOut):
    days: list[InsightDayOut]


def render_counts(counts: Counts) -> dict[str, Any]:
    return {
        "impressions": counts.impressions,
        "taps": counts.taps,
        "carts": counts.carts,
        "orders": counts.orders,
        "paid_orders": counts.paid_orders,
        "units": counts.units,
        "revenue": amount(counts.revenue_fen, counts.currency),
        "refunded": amount(counts.refunded_fen, counts.currency),
    }


def render_line(line: selectors.Line, id_name: str) -> dict[str, Any]:
    """A post's or product's totals and, when read, its days."""
    body = {id_name: str(line.id), **render_counts(line)}
    if line.days:
        body["days"] = [{"date": d.date.isoformat(), **render_counts(d)} for d in line.days]
    return body


@router.get("/insights/posts", auth=READ, response={200: list[PostInsightOut], **ERRORS})
def posts(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict]:
    start, end = selectors.period(query.since, query.until)
    lines = selectors.posts_insight(seller=account_of(request), start=start, end=end)
    return [render_line(line, "status_id") for line in lines]


@router.get("/insights/posts/{status_id}", auth=READ, response={200: PostInsightDaysOut, **ERRORS})
def post(request: HttpRequest, status_id: str, query: Query[PeriodQuery]) -> dict:
    start, end = selectors.period(query.since, query.until)
    pk = to_id(status_id, field="status_id")
    line = selectors.post_insight(seller=account_of(request), status_id=pk, start=start, end=end)
    return render_line(line, "status_id")


@router.get("/insights/products", auth=READ, response={200: list[ProductInsightOut], **ERRORS})
def products(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict]:
    start, end = selectors.period(query.since, query.until)
    lines = selectors.products_insight(seller=account_of(request), start=start, end=end)
    return [render_line(line, "product_id") for line in lines]


@router.get(
    "/insights/products/{product_id}", auth=READ, response={200: ProductInsightDaysOut, **ERRORS}
)
def product(request: HttpRequest, product_id: str, query: Query[PeriodQuery]) -> dict:
    start, end = selectors.period(query.since, query.until)
    pk = to_id(product_id, field="product_id")
    line = selectors.product_insight(
        seller=account_of(request), product_id=pk, start=start, end=end
    )
    return render_line(line, "product_id")
