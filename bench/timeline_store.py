"""Home timeline store benchmark: push (fan-out) and page throughput of the database store and
the Redis store, through the same `TimelineStore` interface the site uses.

    .venv/bin/python bench/timeline_store.py --owners 1000 --posts 200 --pages 2000

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory;
with it, on that database (bench accounts with a random prefix are made and removed). Redis
is --redis-url (default redis://127.0.0.1:6379/14), loopback addresses only; only the keys of
the bench's own homes and statuses are written and removed. Bounded: at most 10,000 owners,
5,000 posts and 100,000 page reads.
"""

import argparse
import ipaddress
import os
import random
import secrets
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
if not os.environ.get("STOREFEED_DATABASE_URL"):
    os.environ["STOREFEED_VAR_DIR"] = tempfile.mkdtemp(prefix="storefeed-bench-")


def loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def timed(label: str, count: int, unit: str, run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    took = time.perf_counter() - start
    print(f"  {label:<34} {count:>8} {unit:<8} {took:7.2f} s  {count / took:>10,.0f} {unit}/s")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=1000, help="homes each post reaches")
    parser.add_argument("--posts", type=int, default=200, help="posts fanned out")
    parser.add_argument("--pages", type=int, default=2000, help="pages of 20 read")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if not (0 < args.owners <= 10_000 and 0 < args.posts <= 5_000 and 0 < args.pages <= 100_000):
        parser.error("at most 10,000 owners, 5,000 posts and 100,000 pages")
    if not loopback(args.redis_url):
        parser.error("--redis-url must be a loopback address")

    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from storefeed.accounts.models import User
    from storefeed.core.ids import new_id
    from storefeed.timelines.models import HomeEntry
    from storefeed.timelines.redis_store import RedisTimelineStore
    from storefeed.timelines.store import DatabaseTimelineStore, Entry, Skip, TimelineStore

    if not os.environ.get("STOREFEED_DATABASE_URL"):
        call_command("migrate", verbosity=0)
    prefix = "bench" + secrets.token_hex(3)
    users = User.objects.bulk_create(
        [User(username=f"{prefix}_{i}", password="!") for i in range(args.owners)]
    )
    owners = [u.pk for u in users]
    authors = owners[:50]
    entries = [
        Entry(status_id=new_id(), author_id=random.choice(authors)) for _ in range(args.posts)
    ]
    status_ids = [e.status_id for e in entries]
    skip = Skip(authors=frozenset(authors[:10]), reposts_by=frozenset(authors[10:20]))
    client = redis.Redis.from_url(args.redis_url)
    client.ping()
    stores: dict[str, TimelineStore] = {
        "database": DatabaseTimelineStore(),
        "redis": RedisTimelineStore.from_url(args.redis_url, keep=settings.HOME_KEEP),
    }
    print(
        f"{connection.vendor} database, Redis {client.info('server')['redis_version']}: "
        f"{args.posts} posts x {args.owners} homes, {args.pages} pages of 20"
    )
    rng = random.Random(1)
    cursors = [(rng.choice(owners), rng.choice(status_ids)) for _ in range(args.pages)]

    def push_all(store: TimelineStore) -> None:
        for entry in entries:
            store.push(owners, entry)

    def read_pages(store: TimelineStore, with_skip: Skip | None) -> None:
        for owner, max_id in cursors:
            store.page(owner, max_id=max_id, limit=20, skip=with_skip)

    try:
        for name, store in stores.items():
            print(name)
            n = args.posts * args.owners
            timed("push (one post to every home)", n, "entries", partial(push_all, store))
            timed(
                "page (limit 20, random max_id)",
                args.pages,
                "pages",
                partial(read_pages, store, None),
            )
            timed(
                "page with a Skip of 20 accounts",
                args.pages,
                "pages",
                partial(read_pages, store, skip),
            )
            timed(
                "remove_statuses (10, owners unknown)",
                10 * args.owners,
                "entries",
                partial(store.remove_statuses, status_ids[:10]),
            )
    finally:
        HomeEntry.objects.filter(owner_id__in=owners).delete()
        User.objects.filter(pk__in=owners).delete()
        pipe = client.pipeline(transaction=False)
        for owner in owners:
            pipe.delete(f"storefeed:home:{owner}")
        for status_id in status_ids:
            pipe.delete(f"storefeed:held:{status_id:020d}")
        pipe.execute()
    return 0


if __name__ == "__main__":
    sys.exit(main())
