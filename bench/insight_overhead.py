"""What counting impressions costs a timeline read: the home page (HTML and the Mastodon API,
a page of 20 product posts) read in this process with counting on and off, alternating
blocks in the same minute, and the ratios printed: of the median request times, and of the
total times with the buffer's writes (each "on" block is followed by a timed flush of its
impressions, which the site does in a thread every few seconds) counted against counting.

    .venv/bin/python bench/insight_overhead.py --reads 200
    .venv/bin/python bench/insight_overhead.py --buffer redis --redis-url redis://127.0.0.1:6379/5

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory.
Counting "off" unregisters the insight's step from posts.hydration, exactly what a site
without the insight runs. Bounded: at most 5,000 reads per page kind.
"""

import argparse
import statistics
import time

from insight_common import BROWSER, loopback, reader_clients, seller_with_posts, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=200, help="reads of each page, each way")
    parser.add_argument("--block", type=int, default=5, help="reads per block before switching")
    parser.add_argument("--buffer", choices=["database", "redis"], default="database")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if not 0 < args.reads <= 5000:
        parser.error("--reads: 1 to 5,000")
    if args.buffer == "redis" and not (args.redis_url and loopback(args.redis_url)):
        parser.error("--buffer redis needs a loopback --redis-url")
    setup_django(args.redis_url if args.buffer == "redis" else "")

    from django.conf import settings

    from storefeed.insights.counting import flush, record_shown
    from storefeed.insights.models import Seen
    from storefeed.posts import hydration

    settings.INSIGHTS_BUFFER = args.buffer
    settings.INSIGHTS_FLUSH_SECONDS = 3600  # the bench flushes itself, timed
    seller, posts, _products = seller_with_posts(25)
    reader, web, api = reader_clients(seller)
    pages = {
        "home HTML (/)": lambda: web.get("/"),
        "home API (/api/v1/timelines/home)": lambda: api.get("/api/v1/timelines/home"),
    }
    for read in pages.values():  # warm every cache
        assert read().status_code == 200
    seen_before = Seen.objects.count()
    started = time.monotonic()
    times: dict[tuple[str, bool], list[float]] = {(n, on): [] for n in pages for on in (1, 0)}
    flushing = 0.0
    done = 0
    while done < args.reads:
        # On then off, then off then on: neither way always follows the other's writes.
        for on in (True, False) if (done // args.block) % 2 == 0 else (False, True):
            if on:
                hydration.register_shown(record_shown)
            else:
                hydration._shown.remove(record_shown)
            for name, read in pages.items():
                for _ in range(min(args.block, args.reads - done)):
                    t = time.perf_counter()
                    status = read().status_code
                    times[name, on].append(time.perf_counter() - t)
                    assert status == 200, f"{name}: {status}"
            if on:
                t = time.perf_counter()
                flush()
                flushing += time.perf_counter() - t
        hydration.register_shown(record_shown)
        done += min(args.block, args.reads - done)
    elapsed = time.monotonic() - started
    print(
        f"buffer: {args.buffer}; database: {settings.DATABASES['default']['ENGINE']}; "
        f"{args.reads} reads of each page each way in {elapsed:.1f} s"
    )
    for name in pages:
        on, off = statistics.median(times[name, True]), statistics.median(times[name, False])
        print(
            f"{name}: counting on {on * 1000:.2f} ms, off {off * 1000:.2f} ms (medians); "
            f"on/off = {on / off:.3f} ({(on / off - 1) * 100:+.1f}%)"
        )
    total_on = sum(sum(times[n, True]) for n in pages) + flushing
    total_off = sum(sum(times[n, False]) for n in pages)
    print(
        f"all reads, totals with the buffer's writes ({flushing * 1000:.1f} ms of flushing): "
        f"on {total_on:.3f} s, off {total_off:.3f} s; "
        f"on/off = {total_on / total_off:.3f} ({(total_on / total_off - 1) * 100:+.1f}%)"
    )
    if args.buffer == "database":
        print(f"rows appended to the buffer: {Seen.objects.count() - seen_before}")
    # The step alone, timed directly (the page timings above swing with the machine's load):
    # the request's part (filter, hash, append to the list) and the writing, per page of 20.
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    shown = [(pk, seller.pk) for pk in posts[:20]]
    n = 4000  # below the 5,000 pages at which a request flushes
    t = time.perf_counter()
    for _ in range(n):
        record_shown(request, reader.pk, shown)
    step = (time.perf_counter() - t) / n
    t = time.perf_counter()
    flush()
    write = (time.perf_counter() - t) / n
    page = statistics.median(times["home API (/api/v1/timelines/home)", False])
    print(
        f"the step per page of 20: {step * 1e6:.1f} µs on the request, {write * 1e6:.1f} µs "
        f"writing it out; {(step + write) / page * 100:.2f}% of an API home read "
        f"({page * 1000:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
