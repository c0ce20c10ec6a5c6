"""The seller's insight page: totals for 7, 30 or 90 days against the period before, a chart
per measure by day, a funnel per post, posts and products ranked by revenue and by
conversion, and a CSV export."""

import csv
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.core.money import display, format_amount
from storefeed.insights import selectors
from storefeed.insights.selectors import Counts, Line
from storefeed.promotions import selectors as promotion_selectors
from storefeed.web.shop import charts
from storefeed.web.shop.common import seller_of
from storefeed.web.views.helpers import AuthedRequest

PERIODS = (7, 30, 90)
TOP = 10
FUNNELS = 5


def _period(request: HttpRequest) -> tuple[int, dt.date, dt.date]:
    text = request.GET.get("days", "30")
    days = int(text) if text.isdigit() and int(text) in PERIODS else 30
    end = timezone.now().date()
    return days, end - dt.timedelta(days=days - 1), end


def _change(now: float, before: float) -> dict[str, Any]:
    """The change from the period before, in words and a sign (never colour alone)."""
    if before == 0:
        return {"sign": "new" if now else "same", "text": _("new") if now else "–"}
    percent = round(100 * (now - before) / before)
    sign = "up" if percent > 0 else "down" if percent < 0 else "same"
    arrow = {"up": "▲", "down": "▼", "same": "="}[sign]
    return {"sign": sign, "text": f"{arrow} {percent:+d}%"}


def _totals(now: Counts, before: Counts) -> list[dict[str, Any]]:
    rows = [
        (_("Impressions"), now.impressions, before.impressions, str(now.impressions)),
        (_("Taps"), now.taps, before.taps, str(now.taps)),
        (_("Orders"), now.orders, before.orders, str(now.orders)),
        (_("Paid orders"), now.paid_orders, before.paid_orders, str(now.paid_orders)),
        (_("Revenue"), now.revenue_fen, before.revenue_fen, display(now.revenue_fen)),
        (
            _("Conversion"),
            now.conversion,
            before.conversion,
            now.conversion_percent,
        ),
    ]
    return [
        {"label": label, "value": shown, "change": _change(value, earlier)}
        for label, value, earlier, shown in rows
    ]


def _ranked(lines: list[Line]) -> dict[str, list[Line]]:
    seen = [line for line in lines if line.impressions or line.orders]
    return {
        "revenue": sorted(seen, key=lambda x: (-x.revenue_fen, -x.paid_orders, -x.id))[:TOP],
        "conversion": sorted(
            [line for line in seen if line.impressions],
            key=lambda x: (-x.conversion, -x.impressions, -x.id),
        )[:TOP],
    }


@login_required
def insight(request: AuthedRequest) -> HttpResponse:
    if seller_of(request.user) is None:
        return render(request, "web/shop/not_seller.html", {"tab": "me"}, status=403)
    days, start, end = _period(request)
    seller = request.user
    daily = selectors.seller_days(seller=seller, start=start, end=end)
    before = selectors.total(
        selectors.seller_days(
            seller=seller, start=start - dt.timedelta(days=days), end=start - dt.timedelta(days=1)
        )
    )
    now = selectors.total(daily)
    posts = selectors.posts_insight(seller=seller, start=start, end=end)
    products = selectors.products_insight(seller=seller, start=start, end=end)
    ranked_posts = _ranked(posts)
    funnels = [
        {
            "line": line,
            "svg": charts.funnel(
                [
                    (_("Impressions"), line.impressions),
                    (_("Taps"), line.taps),
                    (_("Carts"), line.carts),
                    (_("Orders"), line.orders),
                    (_("Paid"), line.paid_orders),
                ],
                label=_("Funnel of “%(post)s”") % {"post": line.title},
            ),
        }
        for line in (ranked_posts["revenue"] or ranked_posts["conversion"])[:FUNNELS]
    ]
    measures: list[tuple[str, str, Callable[[int], str]]] = [
        (_("Impressions"), "impressions", str),
        (_("Taps"), "taps", str),
        (_("Orders"), "orders", str),
        (_("Revenue"), "revenue_fen", display),
    ]
    chart_list = [
        {
            "label": label,
            "svg": charts.bars(
                [(d.date, getattr(d, name)) for d in daily],
                label=_("%(measure)s per day") % {"measure": label},
                fmt=fmt,
            ),
        }
        for label, name, fmt in measures
    ]
    return render(
        request,
        "web/shop/insight.html",
        {
            "tab": "me",
            "days": days,
            "periods": PERIODS,
            "start": start,
            "end": end,
            "totals": _totals(now, before),
            "charts": chart_list,
            "funnels": funnels,
            "posts": ranked_posts,
            "products": _ranked(products),
            "promoted": _promoted(seller),
        },
    )


def _promoted(seller: Any) -> list[dict[str, Any]]:
    """The seller's latest promotions, each with its own line (impressions, taps, orders of
    the promoted placements), apart from the organic counts above."""
    recent = promotion_selectors.promotions_for(seller=seller, limit=TOP)
    results = promotion_selectors.promotion_results(recent)
    return [{"promotion": p, "results": results.get(p.pk)} for p in recent]


CSV_FIELDS = ("impressions", "taps", "carts", "orders", "paid_orders", "units")


@login_required
def insight_csv(request: AuthedRequest) -> HttpResponse:
    if seller_of(request.user) is None:
        return render(request, "web/shop/not_seller.html", {"tab": "me"}, status=403)
    _days, start, end = _period(request)
    kind = "products" if request.GET.get("kind") == "products" else "posts"
    id_name = "status_id" if kind == "posts" else "product_id"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="insight-{kind}-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["date", id_name, *CSV_FIELDS, "revenue", "refunded", "currency"])
    for row in selectors.day_rows(seller=request.user, kind=kind, start=start, end=end):
        writer.writerow(
            [
                row.day.isoformat(),
                getattr(row, id_name),
                *(getattr(row, name) for name in CSV_FIELDS),
                format_amount(row.revenue_fen, row.currency),
                format_amount(row.refunded_fen, row.currency),
                row.currency,
            ]
        )
    return response
