"""Process CPU per checkout through the shop API, in-process: N buyers each buy now (POST
/api/shop/v1/buy) or place and pay (two requests), one after another through Django's test
client (one handler, so the middleware is loaded once, as in a gunicorn worker). Prints the
process CPU and wall time per checkout, and with --queries the SQL of one checkout. Less noisy
than throughput on a shared machine; --profile prints a cProfile of the CPU (process time).

    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        .venv/bin/python bench/checkout_cpu.py --flow buy --checkouts 200

Each run makes fresh accounts and a fresh product (bench/flash_sale.py's setup).
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ.setdefault("STOREFEED_TASKS", "immediate")

WARM_UP = 5
MAX_CHECKOUTS = 2000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flow", choices=["buy", "place-pay"], default="buy")
    parser.add_argument("--checkouts", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile, by process time")
    parser.add_argument("--sort", default="cumulative", help="with --profile")
    parser.add_argument("--lines", type=int, default=40, help="with --profile")
    parser.add_argument("--queries", action="store_true", help="print one checkout's SQL")
    args = parser.parse_args()
    if not 1 <= args.checkouts <= MAX_CHECKOUTS:
        raise SystemExit(f"--checkouts is 1..{MAX_CHECKOUTS}")

    import django

    django.setup()
    import flash_sale
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print(f"database: {connection.vendor} ({connection.settings_dict.get('NAME')})")
    product, buyers = flash_sale.setup(args.checkouts + WARM_UP, 100_000, tokens=True)
    client = Client(HTTP_HOST="127.0.0.1")

    def post(path: str, body: dict, buyer: flash_sale.Buyer, key: str) -> dict:
        response = client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {buyer.token}",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        if response.status_code >= 300:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
        return response.json()

    def checkout(i: int) -> None:
        buyer = buyers[i]
        if args.flow == "buy":
            body = {"product_id": str(product.pk), "address_id": str(buyer.address_id)}
            post("/api/shop/v1/buy", {**body, "pin": flash_sale.PIN}, buyer, f"buy-{i}")
            return
        placed = post(
            "/api/shop/v1/orders",
            {
                "items": [{"product_id": str(product.pk), "quantity": 1}],
                "address_id": str(buyer.address_id),
            },
            buyer,
            f"place-{i}",
        )
        order_id = placed["orders"][0]["id"]
        post(f"/api/shop/v1/orders/{order_id}/pay", {"pin": flash_sale.PIN}, buyer, f"pay-{i}")

    for i in range(args.checkouts, args.checkouts + WARM_UP):
        checkout(i)  # accounts, caches and connections warm
    if args.queries:
        with CaptureQueriesContext(connection) as captured:
            checkout(0)
        for query in captured.captured_queries:
            print(f"  {query['sql'][:160]}")
        print(f"one checkout ({args.flow}): {len(captured.captured_queries)} round trips")
        return 0
    profile = cProfile.Profile(time.process_time) if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profile is not None:
        profile.enable()
    for i in range(args.checkouts):
        checkout(i)
    if profile is not None:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{args.flow}: {args.checkouts} checkouts one after another, process CPU "
        f"{1000 * cpu / args.checkouts:.2f} ms each, wall {1000 * wall / args.checkouts:.2f} ms each"
        + (" (under cProfile)" if profile is not None else "")
    )
    if profile is not None:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
