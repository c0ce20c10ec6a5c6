"""Home timeline store benchmark: push (fan-out) and page throughput of the database store and
the Redis store, through the same `TimelineStore` interface the site uses.

    .venv/bin/python bench/timeline_store.py --owners 1000 --posts 200 --pages 2000
    .venv/bin/python bench/timeline_store.py --stores redis --against 0d2f92a  # before/after

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory;
with it, on that database (bench accounts with a random prefix are made and removed). Redis
is --redis-url (default redis://127.0.0.1:6379/14), loopback addresses only; only the keys of
the bench's own homes are written and removed. Bounded: at most 10,000 owners, 5,000 posts
and 100,000 page reads. `--against REV` also runs the Redis store of an earlier git revision
(its redis_store.py), just before the current one on the same data: a before/after figure
from one run on a machine whose load changes.
"""

import argparse
import ipaddress
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

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


def earlier_redis_store(rev: str) -> Any:
    """The RedisTimelineStore class of src/storefeed/timelines/redis_store.py at `rev`."""
    root = Path(__file__).resolve().parents[1]
    path = f"{rev}:src/storefeed/timelines/redis_store.py"
    source = subprocess.run(
        ["git", "-C", str(root), "show", path], capture_output=True, text=True, check=True
    ).stdout
    module = ModuleType(f"redis_store_{rev}")
    exec(compile(source, path, "exec"), module.__dict__)
    return module.RedisTimelineStore


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=1000, help="homes each post reaches")
    parser.add_argument("--posts", type=int, default=200, help="posts fanned out")
    parser.add_argument("--pages", type=int, default=2000, help="pages of 20 read")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--stores", default="database,redis", help="database, redis or both")
    parser.add_argument("--against", metavar="REV", help="also the Redis store of git REV")
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
    chosen = args.stores.split(",")
    stores: dict[str, TimelineStore] = {}
    if "database" in chosen:
        stores["database"] = DatabaseTimelineStore()
    if args.against:
        earlier = earlier_redis_store(args.against)
        stores[f"redis at {args.against}"] = earlier.from_url(
            args.redis_url, keep=settings.HOME_KEEP
        )
    if "redis" in chosen:
        stores["redis"] = RedisTimelineStore.from_url(args.redis_url, keep=settings.HOME_KEEP)
    print(
        f"{connection.vendor} database, Redis {client.info('server')['redis_version']}: "
        f"{args.posts} posts x {args.owners} homes, {args.pages} pages of 20"
    )
    rng = random.Random(1)
    cursors = [(rng.choice(owners), rng.choice(status_ids)) for _ in range(args.pages)]

    def push_all(store: TimelineStore) -> None:
        for entry in entries:
            store.push(owners, entry)

    def read_pages(store: TimelineStore, with_skip: Skip | None, part: list) -> float:
        start = time.perf_counter()
        for owner, max_id in part:
            store.page(owner, max_id=max_id, limit=20, skip=with_skip)
        return time.perf_counter() - start

    def show(label: str, count: int, unit: str, took: float) -> None:
        print(f"  {label:<34} {count:>8} {unit:<8} {took:7.2f} s  {count / took:>10,.0f} {unit}/s")

    try:
        n = args.posts * args.owners
        pushed = {name: timed(partial(push_all, store)) for name, store in stores.items()}
        # Pages are read in 10 rounds taking turns between the stores, so that a change in
        # the machine's load falls on every store alike.
        reads = {name: [0.0, 0.0] for name in stores}
        for round_ in range(10):
            part = cursors[round_::10]
            for name, store in stores.items():
                reads[name][0] += read_pages(store, None, part)
                reads[name][1] += read_pages(store, skip, part)
        # With the homes named, as timelines.services.home_remove_statuses does.
        removed = {
            name: timed(partial(store.remove_statuses, status_ids[:10], owners))
            for name, store in stores.items()
        }
        for name in stores:
            print(name)
            show("push (one post to every home)", n, "entries", pushed[name])
            show("page (limit 20, random max_id)", args.pages, "pages", reads[name][0])
            show("page with a Skip of 20 accounts", args.pages, "pages", reads[name][1])
            show("remove_statuses (10, owners given)", 10 * args.owners, "entries", removed[name])
    finally:
        HomeEntry.objects.filter(owner_id__in=owners).delete()
        User.objects.filter(pk__in=owners).delete()
        keys = [
            type(store)._home(owner)  # type: ignore[attr-defined]
            for store in stores.values()
            if store is not stores.get("database")
            for owner in owners
        ]
        keys += [f"storefeed:held:{i:020d}" for i in status_ids]  # the earlier layout's
        for start in range(0, len(keys), 1000):
            client.unlink(*keys[start : start + 1000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
