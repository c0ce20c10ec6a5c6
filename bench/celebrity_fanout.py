"""Hybrid delivery benchmark: what fan-out costs for one account with N followers when its
posts are pushed into every follower's home, and when they are pulled at read time (a
celebrity: followers_count >= CELEBRITY_FOLLOWERS), and what a follower's home page costs then.

    .venv/bin/python bench/celebrity_fanout.py --followers 5000 --posts 20 --pages 200

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory;
with it, on that database (bench accounts with a random prefix are made and removed). The
home store is the database one unless --store redis (--redis-url, loopback only; the bench's
own keys are removed). Bounded: at most 20,000 followers, 200 posts and 5,000 pages.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

# timeline_store.py's setup serves here too: src on the path, the settings module, and a
# fresh SQLite database in a temporary directory unless STOREFEED_DATABASE_URL is set.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from timeline_store import loopback


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=20, help="posts fanned out each way")
    parser.add_argument("--pages", type=int, default=200, help="home pages of 20 read each way")
    parser.add_argument("--store", choices=["database", "redis"], default="database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if not (0 < args.followers <= 20_000 and 0 < args.posts <= 200 and 0 < args.pages <= 5_000):
        parser.error("at most 20,000 followers, 200 posts and 5,000 pages")
    if args.store == "redis":
        if not loopback(args.redis_url):
            parser.error("--redis-url must be a loopback address")
        os.environ["STOREFEED_REDIS_URL"] = args.redis_url
        os.environ["STOREFEED_TIMELINE_STORE"] = "redis"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from storefeed.accounts.models import User
    from storefeed.posts.models import Status
    from storefeed.social.models import Follow
    from storefeed.timelines.models import HomeEntry
    from storefeed.timelines.selectors import home_timeline
    from storefeed.timelines.services import status_fan_out
    from storefeed.timelines.store import home_store

    if not os.environ.get("STOREFEED_DATABASE_URL"):
        call_command("migrate", verbosity=0)
    prefix = "bench" + secrets.token_hex(3)
    star = User.objects.create(username=f"{prefix}_star", password="!")
    fans = User.objects.bulk_create(
        [User(username=f"{prefix}_{i}", password="!") for i in range(args.followers)],
        batch_size=1000,
    )
    Follow.objects.bulk_create([Follow(follower=f, target=star) for f in fans], batch_size=1000)
    User.objects.filter(pk=star.pk).update(followers_count=args.followers)
    reader = fans[0]
    made: list[int] = []
    print(
        f"{connection.vendor} database, {args.store} home store: one account with "
        f"{args.followers} followers, {args.posts} posts each way, {args.pages} pages of 20"
    )

    def run(label: str, threshold: int) -> None:
        settings.CELEBRITY_FOLLOWERS = threshold
        statuses = [
            Status.objects.create(account=star, text=f"{label} {i}") for i in range(args.posts)
        ]
        made.extend(s.pk for s in statuses)
        start = time.perf_counter()
        for status in statuses:
            status_fan_out(status_id=status.pk)
        took = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(args.pages):
            home_timeline(viewer=reader, limit=20)
        read = time.perf_counter() - start
        print(
            f"  {label:<7} fan-out {took / args.posts * 1000:9.2f} ms/post "
            f"({args.posts / took:8.1f} posts/s)   home page {read / args.pages * 1000:7.2f} ms"
        )

    try:
        run("pushed", args.followers + 1)
        run("pulled", args.followers)
    finally:
        owners = [star.pk, *(f.pk for f in fans)]
        home_store().remove_statuses(made, owners)
        HomeEntry.objects.filter(owner_id__in=owners).delete()
        Status.objects.filter(pk__in=made).delete()
        Follow.objects.filter(target=star).delete()
        User.objects.filter(pk__in=owners).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
