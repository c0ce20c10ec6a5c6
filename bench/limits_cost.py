"""What the shared rate limit costs an API call: the time of one `core.limits.window_hit`
(the counter every Mastodon and shop API call makes) in the database and in Redis, against a
yardstick in the same run, the database's cheapest round trip (`SELECT 1`).

    .venv/bin/python bench/limits_cost.py --calls 2000 [--redis-url redis://127.0.0.1:6379/7]
    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        .venv/bin/python bench/limits_cost.py

Uses a fresh SQLite file under a temporary var/ unless STOREFEED_DATABASE_URL is set (its
`core_limitcounter` rows made here are deleted at the end), and a loopback Redis database
that it flushes. Bounded: at most 20,000 calls per measure.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ.setdefault("STOREFEED_VAR_DIR", tempfile.mkdtemp(prefix="storefeed-bench-"))


def per_call(calls: int, work) -> float:
    """Microseconds per call, the best of three runs."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for n in range(calls):
            work(n)
        best = min(best, (time.perf_counter() - start) / calls * 1e6)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    args = parser.parse_args()
    if not 0 < args.calls <= 20_000:
        parser.error("between 1 and 20,000 calls")
    if not args.redis_url.startswith(("redis://127.0.0.1", "redis://localhost")):
        parser.error("a loopback Redis only")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from storefeed.core import limits
    from storefeed.core.models import LimitCounter

    call_command("migrate", verbosity=0)

    def select_one(_n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    tokens = 50  # calls spread over 50 tokens' windows, as a busy site's are

    def hit(n: int) -> None:
        limits.window_hit(f"bench:t{n % tokens}", window=300)

    settings.REDIS_URL = ""
    yardstick = per_call(args.calls, select_one)
    database = per_call(args.calls, hit)
    LimitCounter.objects.filter(name__startswith="bench:").delete()
    rows = [("SELECT 1 (yardstick)", yardstick), (f"window_hit, {connection.vendor}", database)]

    import redis

    client = redis.Redis.from_url(args.redis_url)
    try:
        client.flushdb()
        settings.REDIS_URL = args.redis_url
        rows.append(("window_hit, redis", per_call(args.calls, hit)))
        client.flushdb()
    except redis.RedisError as error:
        print(f"(redis skipped: {error})")

    print(
        f"{args.calls} calls, best of 3, {connection.vendor} at {connection.settings_dict['NAME']}"
    )
    for name, micros in rows:
        print(f"{name:32} {micros:8.1f} us/call  {micros / yardstick:5.2f}x the yardstick")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
