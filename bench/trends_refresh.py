"""The hot list's worker run: how long `trends_refresh` takes to fold one minute of activity,
and what a trends read costs afterwards.

    .venv/bin/python bench/trends_refresh.py --accounts 20000 --posts 2000 --events 5000 --runs 5
    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        .venv/bin/python bench/trends_refresh.py ...

Makes A accounts and P public posts (a quarter with one of 50 tags), then for each of R runs
writes E likes and reposts by random accounts on random posts (as one minute of activity; the
unique keys refuse repeats, as the services would) and times one `trends_refresh`, then times
GET /api/v1/trends/statuses and /tags in-process (cached parts warm) and counts their queries.
Rows are bulk-inserted (no counters, notifications or fan-out: only what the refresh reads).
Without STOREFEED_DATABASE_URL a fresh SQLite file in a temporary directory is used; a
PostgreSQL database is migrated and used as it is. Bounded: 200,000 accounts, 100,000 posts,
50,000 events per run, 20 runs.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ.setdefault("STOREFEED_VAR_DIR", tempfile.mkdtemp(prefix="storefeed-bench-"))
os.environ.setdefault("STOREFEED_TASKS", "immediate")
os.environ.setdefault("STOREFEED_API_RATE_LIMIT", "1000000")

LIMITS = {"accounts": 200_000, "posts": 100_000, "events": 50_000, "runs": 20}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--events", type=int, default=5_000, help="likes and reposts per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile of the refreshes")
    args = parser.parse_args()
    for name, most in LIMITS.items():
        if not 0 < getattr(args, name) <= most:
            parser.error(f"--{name} is 1..{most:,}")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from storefeed.accounts.models import User
    from storefeed.core.ids import new_id
    from storefeed.discovery.trends import trends_refresh
    from storefeed.posts.models import Favourite, Status, StatusTag, Tag

    rng = random.Random(12)
    print(f"database: {connection.vendor} ({connection.settings_dict.get('NAME')})")
    started = time.perf_counter()
    prefix = f"b{new_id() % 100_000}_"
    User.objects.bulk_create(
        [User(username=f"{prefix}{i}", password="!") for i in range(args.accounts)],
        batch_size=2_000,
    )
    accounts = list(User.objects.filter(username__startswith=prefix).values_list("pk", flat=True))
    tags = Tag.objects.bulk_create(
        [Tag(name=f"{prefix}tag{i}", key=f"{prefix}tag{i}") for i in range(50)]
    )
    posts = Status.objects.bulk_create(
        [
            Status(account_id=rng.choice(accounts), text=f"post {i}", content=f"<p>post {i}</p>")
            for i in range(args.posts)
        ],
        batch_size=2_000,
    )
    StatusTag.objects.bulk_create(
        [StatusTag(status=p, tag=rng.choice(tags)) for p in posts[: args.posts // 4]]
    )
    print(
        f"seeded {args.accounts:,} accounts, {args.posts:,} posts "
        f"in {time.perf_counter() - started:.1f}s"
    )
    trends_refresh()  # the first look, over the seeding

    profile = cProfile.Profile() if args.profile else None
    timings, folded = [], []
    for _run in range(args.runs):
        likes, reposts = {}, {}
        for _ in range(args.events):
            who, post = rng.choice(accounts), rng.choice(posts)
            if rng.random() < 0.7:
                likes[(who, post.pk)] = Favourite(account_id=who, status_id=post.pk)
            else:
                reposts[(who, post.pk)] = Status(
                    account_id=who, reblog_of_id=post.pk, text="", content=""
                )
        Favourite.objects.bulk_create(likes.values(), ignore_conflicts=True, batch_size=2_000)
        Status.objects.bulk_create(reposts.values(), ignore_conflicts=True, batch_size=2_000)
        t0 = time.perf_counter()
        if profile is not None:
            profile.enable()
        folded.append(trends_refresh())
        if profile is not None:
            profile.disable()
        timings.append(time.perf_counter() - t0)
    print(
        f"trends_refresh, {args.events:,} events per run: "
        f"median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over {args.runs} runs "
        f"({statistics.median(folded):,.0f} contributions counted per run; "
        f"{args.events / statistics.median(timings):,.0f} events/s)"
    )
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)

    client = Client(HTTP_HOST="127.0.0.1")
    for path in ("/api/v1/trends/statuses", "/api/v1/trends/tags"):
        client.get(path)  # warm the cached parts
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"GET {path}: {len(response.json())} entries, "
            f"median {statistics.median(times) * 1000:.1f} ms in-process, {len(queries)} queries"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
