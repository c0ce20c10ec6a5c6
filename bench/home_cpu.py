"""Process CPU per home timeline read, in-process, against the constant-JSON yardstick.

Signs in as `demo` on a database holding the demo data (`storefeed migrate && storefeed
demo`; `--load-demo` does both) and collects static files as `storefeed serve` does, then reads through one Django handler (Django's test
client, so the middleware is loaded once, as in a gunicorn worker), in rounds that take
turns so a change in the machine's load falls on each alike:

- `GET /bench/constant`, the yardstick (a constant JSON answer, same middleware);
- `GET /api/v1/timelines/home` (a page of 20 with product cards, bearer token);
- `GET /` signed in (the HTML home page).

Prints the process CPU per request of each (process time, which other work on a shared
machine disturbs far less than throughput) and the yardstick's CPU as a share of each
page's: the rate the page could reach relative to the yardstick if CPU were all. The
database's own CPU (PostgreSQL's backend) is not in the figure; `home_read.py` counts it.
`--queries` prints one warm page's SQL; `--profile` a cProfile of the page reads (by
process time, `--sort tottime` for own time).

    .venv/bin/python bench/home_cpu.py --reads 300
    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        STOREFEED_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/home_cpu.py
    .venv/bin/python bench/home_cpu.py --profile --page api --sort tottime

Loopback only. Bounded: at most 5,000 reads of each.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ["STOREFEED_BENCH_YARDSTICK"] = "1"
# The rate limit is counted as in production (one round trip per API call), never refused.
os.environ.setdefault("STOREFEED_API_RATE_LIMIT", str(10**9))
os.environ.setdefault("STOREFEED_LOG_LEVEL", "WARNING")

MAX_READS = 5000
ROUNDS = 10
WARM_UP = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=300, help="of each page, in all")
    parser.add_argument("--load-demo", action="store_true", help="migrate and load the demo")
    parser.add_argument("--profile", action="store_true", help="cProfile, by process time")
    parser.add_argument("--page", choices=["api", "html"], default="api", help="with --profile")
    parser.add_argument("--sort", default="tottime", help="with --profile")
    parser.add_argument("--lines", type=int, default=45, help="with --profile")
    parser.add_argument("--queries", action="store_true", help="print one warm page's SQL")
    args = parser.parse_args()
    if not ROUNDS <= args.reads <= MAX_READS:
        raise SystemExit(f"--reads is {ROUNDS}..{MAX_READS}")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from oauth2_provider.models import AccessToken, Application

    from storefeed.accounts.models import User

    if args.load_demo:
        call_command("migrate", verbosity=0)
        call_command("demo", no_progress=True, verbosity=0)
    # The pages name static files by their hashed names, as `storefeed serve` collects them.
    call_command("collectstatic", interactive=False, verbosity=0)
    demo = User.objects.filter(username="demo").first()
    if demo is None:
        raise SystemExit(
            "no demo account: run `storefeed migrate && storefeed demo` (or --load-demo)"
        )
    # The demo's fan-out tasks wait for a worker; fill demo's home in the configured store.
    call_command("timelines_rebuild", "demo", verbosity=0)
    app, _ = Application.objects.get_or_create(
        name="home_cpu bench",
        defaults={
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_PASSWORD,
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        },
    )
    # A fresh token each run: stored tokens keep only their checksum, so an old one's value
    # cannot be read back.
    import datetime as dt
    import secrets

    from django.utils import timezone

    value = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=demo,
        application=app,
        token=value,
        scope="read",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {value}")
    web = Client(HTTP_HOST="127.0.0.1")
    web.force_login(demo)
    yard = Client(HTTP_HOST="127.0.0.1")

    def get(client: Client, path: str) -> Callable[[], None]:
        def read() -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")

        return read

    pages = {
        "yardstick": get(yard, "/bench/constant"),
        "api": get(api, "/api/v1/timelines/home"),
        "html": get(web, "/"),
    }
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"database: {connection.vendor} ({connection.settings_dict.get('NAME')}), "
        f"cache: {cache}, timeline store: {settings.TIMELINE_STORE}"
    )
    for read in pages.values():
        for _ in range(WARM_UP):
            read()  # caches, connections, templates warm
    answer = api.get("/api/v1/timelines/home").json()
    with_cards = sum(1 for s in answer if (s.get("reblog") or s)["products"])
    print(f"API page: {len(answer)} statuses, {with_cards} with product cards")

    if args.queries:
        for name in ("api", "html"):
            with CaptureQueriesContext(connection) as captured:
                pages[name]()
            print(f"{name}: {len(captured.captured_queries)} queries")
            for query in captured.captured_queries:
                print(f"  {query['sql'][:200]}")
        return 0

    if args.profile:
        read = pages[args.page]
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.reads):
            read()
        profile.disable()
        print(f"{args.page}: {args.reads} reads under cProfile")
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)
        return 0

    per_round = max(1, args.reads // ROUNDS)
    spent: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(ROUNDS):
        for name, read in pages.items():
            cpu = time.process_time()
            for _ in range(per_round):
                read()
            spent[name].append(1000 * (time.process_time() - cpu) / per_round)
    yard_ms = statistics.median(spent["yardstick"])
    print(f"{ROUNDS} rounds of {per_round} reads each; process CPU per request, median of rounds")
    print(f"yardstick (/bench/constant): {yard_ms:.3f} ms")
    for name, label in (("api", "home API (/api/v1/timelines/home)"), ("html", "home HTML (/)")):
        ms = statistics.median(spent[name])
        print(
            f"{label}: {ms:.3f} ms (min {min(spent[name]):.3f}, max {max(spent[name]):.3f}) "
            f"= {ms / yard_ms:.1f}x the yardstick; yardstick/page = {100 * yard_ms / ms:.1f}%"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
