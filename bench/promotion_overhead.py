"""What promotions cost a home read: the home page (HTML and the Mastodon API, a page of 20
product posts of a followed seller) read in this process with the promotions' top-slot step
registered and unregistered in alternating blocks in the same minute, and the ratio of the
medians printed. "On" is a site with promotions running: an active promotion whose
placements wait in the homes of `--waiting` other people (rows the reader's lookup must pass
over on its index), the reader's own placement already shown. So every "on" read pays the one
lookup and finds nothing, as nearly every home read does; the lookup is also timed alone.

    .venv/bin/python bench/promotion_overhead.py --reads 600

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory.
"Off" unregisters the step from timelines.promoted, exactly what a site without promotions
(commerce off) runs. Bounded: at most 5,000 reads per page kind, 1,000,000 waiting rows.
"""

import argparse
import statistics
import time

from insight_common import reader_clients, seller_with_posts, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=200, help="reads of each page, each way")
    parser.add_argument("--block", type=int, default=5, help="reads per block before switching")
    parser.add_argument("--waiting", type=int, default=100_000, help="others' waiting rows")
    args = parser.parse_args()
    if not 0 < args.reads <= 5000:
        parser.error("--reads: 1 to 5,000")
    if not 0 <= args.waiting <= 1_000_000:
        parser.error("--waiting: 0 to 1,000,000")
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from storefeed.promotions.models import Placement, Promotion
    from storefeed.promotions.placing import take_top_slot
    from storefeed.timelines import promoted
    from storefeed.wallet.services import pin_set, topup_create

    seller, posts, _products = seller_with_posts(25)
    reader, web, api = reader_clients(seller)
    seller.set_password("bench-password-1")
    seller.save(update_fields=["password"])
    topup_create(account=seller, amount="1000.00")
    pin_set(account=seller, pin="246810", password="bench-password-1")
    from storefeed.promotions.services import promotion_create

    promotion_create(
        seller=seller,
        status_id=posts[0],
        budget="900.00",
        audience="followers",
        pin="246810",
        idempotency_key=f"bench-{seller.pk}",
    )
    promotion = Promotion.objects.get(seller=seller)
    base = 10**12  # owner ids of people who do not read here
    for start in range(0, args.waiting, 10_000):
        Placement.objects.bulk_create(
            [
                Placement(promotion=promotion, owner_id=base + n)
                for n in range(start, min(start + 10_000, args.waiting))
            ]
        )
    # The reader's own placement (written when the promotion was placed) was shown already.
    Placement.objects.update_or_create(
        promotion=promotion, owner_id=reader.pk, defaults={"shown_at": timezone.now()}
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    pages = {
        "home HTML (/)": lambda: web.get("/"),
        "home API (/api/v1/timelines/home)": lambda: api.get("/api/v1/timelines/home"),
    }
    for read in pages.values():  # warm every cache
        assert read().status_code == 200
    started = time.monotonic()
    times: dict[tuple[str, bool], list[float]] = {(n, on): [] for n in pages for on in (1, 0)}
    done = 0
    while done < args.reads:
        # On then off, then off then on: neither way always comes first.
        for on in (True, False) if (done // args.block) % 2 == 0 else (False, True):
            if on:
                promoted.register(take_top_slot)
            else:
                promoted._steps.remove(take_top_slot)
            for name, read in pages.items():
                for _ in range(min(args.block, args.reads - done)):
                    t = time.perf_counter()
                    response = read()
                    times[name, on].append(time.perf_counter() - t)
                    assert response.status_code == 200, f"{name}: {response.status_code}"
        promoted.register(take_top_slot)
        done += min(args.block, args.reads - done)
    elapsed = time.monotonic() - started
    print(
        f"database: {settings.DATABASES['default']['ENGINE']}; {args.waiting:,} placements "
        f"waiting for others; {args.reads} reads of each page each way in {elapsed:.1f} s"
    )
    for name in pages:
        on, off = statistics.median(times[name, True]), statistics.median(times[name, False])
        print(
            f"{name}: promotions on {on * 1000:.2f} ms, off {off * 1000:.2f} ms (medians); "
            f"on/off = {on / off:.3f} ({(on / off - 1) * 100:+.1f}%)"
        )
    # The lookup alone, timed directly (page timings swing with the machine's load).
    n = 2000
    t = time.perf_counter()
    for _ in range(n):
        assert take_top_slot(reader.pk) is None
    lookup = (time.perf_counter() - t) / n
    page = statistics.median(times["home API (/api/v1/timelines/home)", False])
    print(
        f"the lookup alone: {lookup * 1e6:.1f} µs, {lookup / page * 100:.2f}% of an API home "
        f"read ({page * 1000:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
