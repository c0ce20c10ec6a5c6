"""Delivery latency benchmark: how long after a post is committed it is in a follower's home,
with a real worker process (started exactly as `storefeed serve` starts it) that was idle.

    .venv/bin/python bench/delivery.py --posts 30

One account with 10 followers posts N times through `posts.services.status_create` (which
enqueues the fan-out task in its transaction); between posts the bench waits a random gap
(default 0.2-0.7 s) so the worker is idle and its wait is caught at a random point. After each
post it polls the configured home store every 2 ms until a follower's home holds the post, and
prints p50, p90 and max of those delays.

Without STOREFEED_DATABASE_URL it runs on a fresh SQLite database in a temporary directory;
with it, on that database, which must be on a loopback address (bench accounts with a random
prefix are made and removed, with their task rows). Bounded: at most 200 posts, 10 s per post.
"""

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# timeline_store.py's setup serves here too: src on the path, the settings module, and a
# fresh SQLite database in a temporary directory unless STOREFEED_DATABASE_URL is set.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from timeline_store import loopback

FOLLOWERS = 10
DEADLINE = 10.0  # seconds a post may take to arrive before the bench gives up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--gap-min", type=float, default=0.2, help="seconds, before each post")
    parser.add_argument("--gap-max", type=float, default=0.7)
    parser.add_argument(
        "--worker-interval",
        type=float,
        default=None,
        help="passed to the worker as serve's --worker-interval (default: the worker's own)",
    )
    args = parser.parse_args()
    if not 0 < args.posts <= 200:
        parser.error("at most 200 posts")
    if not 0 <= args.gap_min <= args.gap_max <= 5:
        parser.error("gaps between 0 and 5 seconds, min <= max")
    url = os.environ.get("STOREFEED_DATABASE_URL", "")
    if url and not loopback(url):
        parser.error("STOREFEED_DATABASE_URL must be a loopback address")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from storefeed.accounts.models import User
    from storefeed.core.management.commands.serve import worker_command
    from storefeed.posts.models import Status
    from storefeed.posts.services import status_create
    from storefeed.social.models import Follow
    from storefeed.timelines.models import HomeEntry
    from storefeed.timelines.store import home_store

    if not url:
        call_command("migrate", verbosity=0)
    prefix = "bench" + secrets.token_hex(3)
    author = User.objects.create(username=f"{prefix}_author", password="!")
    fans = User.objects.bulk_create(
        [User(username=f"{prefix}_{i}", password="!") for i in range(FOLLOWERS)]
    )
    Follow.objects.bulk_create([Follow(follower=f, target=author) for f in fans])
    User.objects.filter(pk=author.pk).update(followers_count=FOLLOWERS)
    reader = fans[-1].pk
    store = home_store()
    made: list[int] = []
    log_fd, log = tempfile.mkstemp(prefix="storefeed-bench-worker-", suffix=".log")
    argv = worker_command(args.worker_interval)
    worker = subprocess.Popen(argv, stdout=log_fd, stderr=subprocess.STDOUT)
    os.close(log_fd)
    connection.close()  # the worker's first look should not wait on this process's transaction

    def delivered(status_id: int) -> float | None:
        """Seconds from now until `status_id` is in the reader's home, or None."""
        start = time.perf_counter()
        while time.perf_counter() - start < DEADLINE:
            if store.holding(status_id, [reader]):
                return time.perf_counter() - start
            if worker.poll() is not None:
                return None
            time.sleep(0.002)
        return None

    def post(text: str) -> float | None:
        status = status_create(account=author, text=text)
        made.append(status.pk)
        return delivered(status.pk)

    try:
        print(
            f"{connection.vendor} database, {store.__class__.__name__}; worker: "
            f"{' '.join(argv[1:])}; {FOLLOWERS} followers, {args.posts} posts, "
            f"gaps {args.gap_min}-{args.gap_max} s"
        )
        # The worker's start (imports, its random start-up delay) is not measured.
        if post("warm-up") is None:
            raise SystemExit(f"the worker delivered nothing: {Path(log).read_text()}")
        delays = []
        for n in range(args.posts):
            time.sleep(random.uniform(args.gap_min, args.gap_max))
            took = post(f"post {n}")
            if took is None:
                raise SystemExit(f"post {n} not delivered in {DEADLINE} s")
            delays.append(took * 1000)
        delays.sort()
        p90 = delays[min(len(delays) - 1, int(len(delays) * 0.9))]
        print(
            f"  post committed -> in a follower's home: p50 {statistics.median(delays):7.1f} ms"
            f"   p90 {p90:7.1f} ms   max {delays[-1]:7.1f} ms   min {delays[0]:7.1f} ms"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        Path(log).unlink()
        owners = [author.pk, *(f.pk for f in fans)]
        store.remove_statuses(made, owners)
        HomeEntry.objects.filter(owner_id__in=owners).delete()
        DBTaskResult.objects.filter(args_kwargs__args__0__in=made).delete()
        Status.objects.filter(pk__in=made).delete()
        Follow.objects.filter(target=author).delete()
        User.objects.filter(pk__in=owners).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
