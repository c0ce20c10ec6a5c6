"""How long the worker takes to roll up a day of impressions: a million impressions (by
default) of a seller's product posts, from many distinct viewers, put in the buffer, then one
`insights_rollup()` timed; the figures it writes are checked against what was put in.

    .venv/bin/python bench/insight_rollup.py                        # the database buffer
    .venv/bin/python bench/insight_rollup.py --buffer redis --redis-url redis://127.0.0.1:6379/5

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory.
The Redis run writes only the insight's keys of that database (and removes them). Bounded:
at most 5,000,000 impressions and 2,000 posts.
"""

import argparse
import random
import time

from insight_common import loopback, seller_with_posts, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impressions", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--viewers", type=int, default=200_000, help="distinct viewers")
    parser.add_argument("--buffer", choices=["database", "redis"], default="database")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if not (0 < args.impressions <= 5_000_000 and 0 < args.posts <= 2000):
        parser.error("at most 5,000,000 impressions and 2,000 posts")
    if args.buffer == "redis" and not (args.redis_url and loopback(args.redis_url)):
        parser.error("--buffer redis needs a loopback --redis-url")
    setup_django(args.redis_url if args.buffer == "redis" else "")

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from storefeed.core import sql
    from storefeed.insights import counting
    from storefeed.insights.models import PostDay, ProductDay, Seen
    from storefeed.insights.rollup import insights_rollup

    settings.INSIGHTS_BUFFER = args.buffer
    t = time.perf_counter()
    _seller, posts, products = seller_with_posts(args.posts)
    print(
        f"{args.posts} product posts of {len(products)} products made in "
        f"{time.perf_counter() - t:.1f} s"
    )
    day = timezone.now().date()
    rng = random.Random(13)
    # Each impression: a post and a viewer (a keyed hash in the site; any 64-bit value here).
    pairs: dict[int, set[int]] = {pk: set() for pk in posts}
    t = time.perf_counter()
    if args.buffer == "redis":
        client = counting.redis_client(settings.REDIS_URL)
        for start in range(0, args.impressions, 10_000):
            pipe = client.pipeline(transaction=False)
            for _ in range(min(10_000, args.impressions - start)):
                pk, who = rng.choice(posts), rng.randrange(args.viewers)
                pairs[pk].add(who)
                pipe.pfadd(counting.seen_key(day, pk), who.to_bytes(8, "big", signed=True))
            pipe.execute()
        client.sadd(counting.DIRTY, *[f"{day.isoformat()}:{pk}" for pk in posts])
    else:
        name = connection.ops.quote_name
        insert = (
            f"INSERT INTO {sql.table(Seen)} ({name('day')}, {name('status_id')}, "
            f"{name('viewer')}) VALUES (%s, %s, %s)"
        )
        for start in range(0, args.impressions, 50_000):
            rows = []
            for _ in range(min(50_000, args.impressions - start)):
                pk, who = rng.choice(posts), rng.randrange(args.viewers)
                pairs[pk].add(who)
                rows.append((day, pk, who))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert, rows)
    print(
        f"{args.impressions:,} impressions buffered ({args.buffer}) in "
        f"{time.perf_counter() - t:.1f} s"
    )

    t = time.perf_counter()
    done = insights_rollup()
    took = time.perf_counter() - t
    print(
        f"rollup: {took:.2f} s for {args.impressions:,} impressions "
        f"({done['impressions']} post-days) [target: under 60 s]"
    )

    exact = {pk: len(v) for pk, v in pairs.items()}
    got = dict(
        PostDay.objects.filter(day=day, status_id__in=posts).values_list("status_id", "impressions")
    )
    worst = max(abs(got.get(pk, 0) - n) / n for pk, n in exact.items() if n)
    print(
        f"post impressions: {sum(got.values()):,} distinct post-viewers written, "
        f"{sum(exact.values()):,} exact; largest error {worst * 100:.2f}% "
        f"({'HyperLogLog estimate' if args.buffer == 'redis' else 'exact count'})"
    )
    print(f"product rows: {ProductDay.objects.filter(day=day, product_id__in=products).count()}")
    if args.buffer == "redis":
        client.delete(*[counting.seen_key(day, pk) for pk in posts])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
