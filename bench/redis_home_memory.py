"""Redis home timeline memory: bytes per full (800-entry) home, with its share of whatever
index deletions need, measured with MEMORY USAGE and INFO used_memory.

    .venv/bin/python bench/redis_home_memory.py --homes 1000 --posts 900 \
        --redis-url redis://127.0.0.1:6379/10 [--against REV]

Pushes P posts (a tenth of them reposts) by 200 authors to each of N homes through the Redis
store, as fan-out does (pipelines of 1,000 homes), so every home is full and trimmed; then
prints the bytes per home: the home's key, the deletion index keys divided among the homes
(the `held:<status>` sets of the earlier layout; none now), and the growth of
INFO used_memory divided by N. Loopback Redis only; the bench's own keys are removed at the
end. No database is used. Bounded: at most 5,000 homes and 5,000 posts. `--against REV`
measures the Redis store of an earlier git revision instead (its redis_store.py).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ.setdefault("STOREFEED_VAR_DIR", tempfile.mkdtemp(prefix="storefeed-bench-"))

from timeline_store import earlier_redis_store, loopback


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--homes", type=int, default=1000, help="homes each post reaches")
    parser.add_argument("--posts", type=int, default=900, help="posts fanned out")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--against", metavar="REV", help="the Redis store of git REV instead")
    args = parser.parse_args()
    if not (0 < args.homes <= 5_000 and 0 < args.posts <= 5_000):
        parser.error("at most 5,000 homes and 5,000 posts")
    if not loopback(args.redis_url):
        parser.error("--redis-url must be a loopback address")

    import django

    django.setup()
    import redis
    from django.conf import settings

    from storefeed.core.ids import new_id
    from storefeed.timelines.redis_store import RedisTimelineStore
    from storefeed.timelines.store import Entry

    rng = random.Random(1)
    # Account ids are time-sortable 64-bit ids too, as on the site.
    owners = [new_id() for _ in range(args.homes)]
    authors = [new_id() for _ in range(200)]
    entries = []
    for i in range(args.posts):
        origin = rng.choice(authors) if i % 10 == 9 else None
        entries.append(Entry(new_id(), rng.choice(authors), origin))
    client = redis.Redis.from_url(args.redis_url)
    layout = earlier_redis_store(args.against) if args.against else RedisTimelineStore
    store = layout.from_url(args.redis_url, keep=settings.HOME_KEEP)
    home_keys = [store._home(owner) for owner in owners]
    # The earlier layout's deletion index (one set per status); absent in the current one.
    index_keys = [f"storefeed:held:{e.status_id:020d}" for e in entries]

    def used() -> int:
        return int(client.info("memory")["used_memory"])

    def usage(keys: list[str]) -> int:
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.memory_usage(key, samples=0)
        return sum(n or 0 for n in pipe.execute())

    print(
        f"Redis {client.info('server')['redis_version']}: {args.posts} posts x {args.homes} "
        f"homes, keep {settings.HOME_KEEP}, store at {args.against or 'this checkout'}"
    )
    try:
        before = used()
        start = time.perf_counter()
        for entry in entries:
            store.push(owners, entry)
        took = time.perf_counter() - start
        grown = used() - before
        sizes = [len(store.page(owner, limit=settings.HOME_KEEP)) for owner in owners[:10]]
        home, index = usage(home_keys), usage(index_keys)
        per_home, per_index = home / args.homes, index / args.homes
        print(f"  entries per home (first 10 homes)   {min(sizes)}-{max(sizes)}")
        print(
            f"  push                                 {args.posts * args.homes / took:,.0f} entries/s"
        )
        print(f"  home key (MEMORY USAGE)              {per_home:>10,.0f} B per home")
        print(f"  deletion index share (MEMORY USAGE)  {per_index:>10,.0f} B per home")
        print(f"  total (MEMORY USAGE)                 {per_home + per_index:>10,.0f} B per home")
        print(f"  INFO used_memory growth              {grown / args.homes:>10,.0f} B per home")
    finally:
        for keys in (home_keys, index_keys):
            for start_at in range(0, len(keys), 1000):
                client.unlink(*keys[start_at : start_at + 1000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
