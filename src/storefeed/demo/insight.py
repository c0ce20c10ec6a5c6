"""The demo's month of seller insight for lily: what her product posts did in the 30 days
before the demo was built, so that her insight page shows a believable history at once.

Today's figures are the real ones (the demo's orders and carts, and every page view since,
counted by the insight itself). The days before are generated here, deterministically (the
same numbers on every machine), with the shape of a real post: a launch peak that decays,
busier weekends, a few percent of viewers tapping a card, some of them buying, and a refund
now and then; and written through `insights.services.insight_history_import`, which never
replaces a day already counted (so building the demo twice changes nothing).
"""

import datetime as dt
import math
import random

from django.utils import timezone

from storefeed.catalog.models import PostProduct, Product
from storefeed.insights.services import insight_history_import
from storefeed.posts.models import Status

DAYS = 30
# Launch-day impressions of each of lily's product posts, and how many days before today it
# "went out" (the velvet shades a month ago, the skincare post two weeks later).
POSTS = {"lily_velvet_shop": (1400, DAYS - 1), "lily_skincare_shop": (650, 16)}

# lily's promotion (粉丝头条): who, which post, the budget (demo/commerce.py `_promotion`).
PROMOTED = ("lily", "lily_velvet_shop", "30.00")

Key = tuple[dt.date, int]


def month_of(posts: dict[str, Status]) -> int:
    """Write the history of lily's product posts found in `posts`; rows written."""
    today = timezone.now().date()
    post_days: dict[Key, dict[str, int]] = {}
    product_days: dict[Key, dict[str, int]] = {}
    for key, (peak, age) in POSTS.items():
        status = posts.get(key)
        if status is None:
            continue
        products = list(
            PostProduct.objects.filter(status=status, product__isnull=False)
            .order_by("position")
            .values_list("product_id", flat=True)
        )
        prices = dict(Product.objects.filter(pk__in=products).values_list("pk", "price_fen"))
        rng = random.Random(f"storefeed-demo-{key}")
        for back in range(age, 0, -1):
            day = today - dt.timedelta(days=back)
            since = age - back
            weekend = 1.35 if day.weekday() >= 5 else 1.0
            seen = int(peak * math.exp(-since / 9) * weekend * rng.uniform(0.85, 1.15)) + 40
            taps = int(seen * rng.uniform(0.06, 0.11))
            carts = int(taps * rng.uniform(0.15, 0.3))
            orders = int(taps * rng.uniform(0.1, 0.22))
            paid = max(0, orders - (1 if orders and rng.random() < 0.25 else 0))
            lines = []  # (product, units, paid) per order
            for n in range(orders):
                units = 2 if rng.random() < 0.15 else 1
                lines.append((rng.choice(products), units, n < paid))
            revenue = sum(prices[pk] * units for pk, units, was_paid in lines if was_paid)
            refunded = prices[products[0]] if paid and rng.random() < 0.08 else 0
            post_days[day, status.pk] = {
                "impressions": seen,
                "taps": taps,
                "carts": carts,
                "orders": orders,
                "paid_orders": paid,
                "units": sum(units for _pk, units, was_paid in lines if was_paid),
                "revenue_fen": revenue,
                "refunded_fen": refunded,
            }
            for pk in products:
                product_days[day, pk] = {
                    "impressions": int(seen * rng.uniform(0.7, 1.0)),
                    "taps": taps // len(products),
                    "carts": carts // len(products),
                    "orders": 0,
                    "paid_orders": 0,
                    "units": 0,
                    "revenue_fen": 0,
                }
            for pk, units, was_paid in lines:
                row = product_days[day, pk]
                row["orders"] += 1
                if was_paid:
                    row["paid_orders"] += 1
                    row["units"] += units
                    row["revenue_fen"] += prices[pk] * units
    return insight_history_import(post_days=post_days, product_days=product_days)
