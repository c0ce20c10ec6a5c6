"""The database home store's indexes: their sizes for a generated table, and PostgreSQL's plan
(EXPLAIN ANALYZE) for every query the store makes, captured from the store itself.

    createdb -h 127.0.0.1 -U postgres sf_home_bench
    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_home_bench \\
        .venv/bin/storefeed migrate
    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_home_bench \\
        .venv/bin/python bench/home_indexes.py --rows 1000000

PostgreSQL only, on a loopback address, and best on a database of its own whose home table is
otherwise empty (the sizes are the whole table's). The table is filled as fan-out fills it:
statuses in id order, each pushed into --fanout homes of --owners (bench accounts with a random
prefix), a tenth of them reposts. Each store call runs in a transaction that is rolled back, so
a DELETE is planned and executed but changes nothing. At the end the bench's rows and accounts
are deleted. Bounded: at most 2,000,000 rows.
"""

import argparse
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timeline_store import loopback

BASE_ID = 400_000_000_000_000_000  # a time-sortable id of 2024 or so; statuses step by 2**16


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--owners", type=int, default=5003, help="homes (a prime spreads best)")
    parser.add_argument("--fanout", type=int, default=50, help="homes each status reaches")
    args = parser.parse_args()
    if not (0 < args.rows <= 2_000_000 and 0 < args.fanout < args.owners <= 50_000):
        parser.error("at most 2,000,000 rows; fanout below owners, at most 50,000 owners")
    url = os.environ.get("STOREFEED_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not loopback(url):
        parser.error("set STOREFEED_DATABASE_URL to a PostgreSQL database on a loopback address")

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from storefeed.accounts.models import User
    from storefeed.timelines.models import HomeEntry
    from storefeed.timelines.store import DatabaseTimelineStore, Entry, Skip

    prefix = "bench" + secrets.token_hex(3)
    owners = [
        u.pk
        for u in User.objects.bulk_create(
            [User(username=f"{prefix}_{i}", password="!") for i in range(args.owners)],
            batch_size=1000,
        )
    ]
    statuses = args.rows // args.fanout
    table = HomeEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_owner (n int PRIMARY KEY, id bigint)")
        cursor.executemany("INSERT INTO bench_owner VALUES (%s, %s)", list(enumerate(owners)))
        # Status s (authors cycle through 997 accounts, every tenth is a repost) reaches the
        # homes n = (s * 7919 + k * 104729) mod owners, k = 1..fanout: distinct for a prime.
        cursor.execute(
            f"""
            INSERT INTO {table} (owner_id, status_id, author_id, origin_author_id)
            SELECT o.id, %s + s * 65536, 1000 + s %% 997,
                   CASE WHEN s %% 10 = 0 THEN 2000 + s %% 101 END
            FROM generate_series(1, %s) AS s
            CROSS JOIN generate_series(1, %s) AS k
            JOIN bench_owner o ON o.n = (s * 7919 + k * 104729) %% %s
            ORDER BY s, k
            ON CONFLICT DO NOTHING
            """,
            [BASE_ID, statuses, args.fanout, args.owners],
        )
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*), pg_size_pretty(pg_table_size('{table}')) FROM {table}")
        rows, heap = cursor.fetchone()
        cursor.execute(
            """
            SELECT indexrelname, pg_relation_size(indexrelid),
                   pg_size_pretty(pg_relation_size(indexrelid)), pg_get_indexdef(indexrelid)
            FROM pg_stat_user_indexes WHERE relname = %s ORDER BY indexrelname
            """,
            [table],
        )
        indexes = cursor.fetchall()
    print(f"{table}: {rows:,} rows, {heap} of rows; {len(indexes)} indexes:")
    for name, _size, pretty, definition in indexes:
        print(f"  {pretty:>8}  {name}: {definition.split(' USING ')[1]}")
    total = sum(size for _n, size, _p, _d in indexes)
    print(f"  {total / 2**20:7.0f} MB  in all")

    store = DatabaseTimelineStore()
    owner = owners[7]
    status = BASE_ID + (statuses // 2) * 65536
    author = 1000 + (statuses // 2) % 997
    calls: list[tuple[str, Callable[[], object]]] = [
        ("page", lambda: store.page(owner)),
        ("page below max_id", lambda: store.page(owner, max_id=status)),
        ("page with min_id", lambda: store.page(owner, min_id=status)),
        ("page with a Skip", lambda: store.page(owner, skip=Skip(authors=frozenset([author])))),
        ("list page (authors)", lambda: store.page(owner, authors=frozenset([author, 1001]))),
        ("holding", lambda: store.holding(status, owners[:100])),
        ("remove_statuses", lambda: store.remove_statuses([status])),
        ("remove_statuses, owners", lambda: store.remove_statuses([status], owners[:50])),
        ("remove_author", lambda: store.remove_author(owner, author)),
        ("remove_author +reposts", lambda: store.remove_author(owner, 2000, with_reposts_of=True)),
        ("trim to 100", lambda: store.trim(owner, 100)),
        ("push to 50 homes", lambda: store.push(owners[:50], Entry(status + 1, author))),
        ("account deleted (cascade)", lambda: HomeEntry.objects.filter(owner_id=owner).delete()),
    ]
    print("\nEXPLAIN ANALYZE of each query the store makes (rolled back):")
    try:
        for label, call in calls:
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                call()
                transaction.set_rollback(True)
            for query in captured.captured_queries:
                # Each statement in a fresh transaction, so a DELETE finds its rows again.
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query["sql"])
                    plan = [line for (line,) in cursor.fetchall()]
                    transaction.set_rollback(True)
                print(f"\n{label}: {query['sql'][:160]}")
                for line in plan:
                    if "Scan" in line or "Execution Time" in line or "Buffers" in line:
                        print(f"    {line.strip()}")
    finally:
        HomeEntry.objects.filter(owner_id__in=owners).delete()
        User.objects.filter(pk__in=owners).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
