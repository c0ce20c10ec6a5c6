"""Flash-sale benchmark: N buyers race for K units of one product; each buyer places an order
and pays it with the PIN. Prints orders per second, oversold units (must be 0), refused
requests and whether the invariants hold (ledger sound, no wallet below zero, left + reserved
+ sold = stock ever added).

Two ways to drive it:
- `--mode http` (default): through the shop API (POST /api/shop/v1/orders, then POST
  /api/shop/v1/orders/{id}/pay; or POST /api/shop/v1/buy with `--flow buy`), loopback
  addresses only: a RUNNING server at --base-url, or with `--serve` one that the bench starts
  itself (`storefeed serve --no-demo --no-worker` on a free loopback port) and stops. Buyers,
  their tokens, wallets and PINs are set up directly in the server's database, so run this
  with the server's settings (the same STOREFEED_DATABASE_URL).
- `--mode services`: no server; threads call `order_place` and `order_pay` (or `order_buy`)
  directly, each on its own database connection.

The yardstick (`--pgbench SECONDS`, PostgreSQL only): after the race, pgbench runs a
conditional hot-row UPDATE (`UPDATE t SET n = n - 1 WHERE id = 1 AND n >= 1`, on a one-row
table the bench creates in the same database and drops afterwards) with the same number of
clients; the bench prints both rates and paid checkouts/s as a share of pgbench's.

    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        .venv/bin/python bench/flash_sale.py --mode services --buyers 200 --units 10

Bounded: at most 5,000 buyers, at most --concurrency requests in flight, and --deadline
seconds overall (buyers not started by then are counted as not run). Each run uses fresh
accounts and a fresh product (a random prefix), so runs can be repeated on one database.
"""

import argparse
import contextlib
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ.setdefault("STOREFEED_TASKS", "immediate")

MAX_BUYERS = 5000
PIN = "246810"


@dataclass
class Buyer:
    user: object
    address_id: int
    token: str = ""


def loopback_only(base_url: str) -> str:
    parsed = urllib.parse.urlsplit(base_url)
    host = parsed.hostname or ""
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host == "localhost"
    if parsed.scheme not in ("http", "https") or not ok:
        raise SystemExit(f"refusing {base_url!r}: the benchmark only talks to loopback addresses")
    return base_url.rstrip("/")


def setup(buyers: int, units: int, *, tokens: bool) -> tuple[object, list[Buyer]]:
    """A fresh seller with one product of `units` units, and `buyers` buyers with money, a
    PIN and an address (and an OAuth token for the HTTP mode)."""
    from storefeed.accounts.models import ExpertField, User
    from storefeed.catalog.services import product_create
    from storefeed.orders.services import address_create
    from storefeed.sellers import services as sellers
    from storefeed.wallet.models import PaymentPin
    from storefeed.wallet.pins import pin_encode
    from storefeed.wallet.services import topup_create

    prefix = "b" + secrets.token_hex(3)
    ExpertField.objects.get_or_create(slug="food", defaults={"name_en": "Food", "name_zh": "美食"})
    staff = User.objects.create_user(
        username=f"{prefix}_staff", email=f"{prefix}_staff@bench.invalid", is_staff=True
    )
    seller = User.objects.create_user(
        username=f"{prefix}_seller", email=f"{prefix}_seller@bench.invalid"
    )
    User.objects.filter(pk=seller.pk).update(followers_count=1000)
    seller.refresh_from_db()
    application = sellers.seller_application_submit(
        account=seller,
        shop_name=f"Flash {prefix}",
        field="food",
        sells="Tea for the benchmark.",
        contact_phone="138 0013 8000",
        real_name="Bench Seller",
        id_number="11010519491231002x",
        agreed=True,
    )
    sellers.seller_application_approve(application_id=application.pk, by=staff)
    product = product_create(account=seller, title="Viral tea", price="9.90", stock=units)
    app = None
    if tokens:
        from oauth2_provider.models import get_application_model

        app = get_application_model().objects.create(
            name=f"flash bench {prefix}",
            client_type="confidential",
            authorization_grant_type="authorization-code",
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
            user=seller,
        )
    # Setting up is not what is measured: one PIN hash for every buyer and no sign-in
    # passwords. Paying still checks the PIN.
    pin_hash = pin_encode(PIN)
    people = []
    for i in range(buyers):
        user = User.objects.create_user(
            username=f"{prefix}_fan{i}", email=f"{prefix}_fan{i}@bench.invalid"
        )
        PaymentPin.objects.create(account=user, pin_hash=pin_hash)
        topup_create(account=user, amount="20.00")
        address = address_create(
            account=user,
            recipient=f"Fan {i}",
            phone="138 0013 8000",
            region="Beijing",
            city="Beijing",
            street=f"{i} Sanlitun Road",
        )
        token = ""
        if app is not None:
            import datetime as dt

            from django.utils import timezone
            from oauth2_provider.models import get_access_token_model

            token = secrets.token_urlsafe(24)
            get_access_token_model().objects.create(
                user=user,
                application=app,
                token=token,
                scope="read write",
                expires=timezone.now() + dt.timedelta(hours=2),
            )
        people.append(Buyer(user=user, address_id=address.pk, token=token))
    return product, people


def buy_with_services(product, buyer: Buyer, i: int, flow: str) -> str:
    from django.db import connections

    from storefeed.core.errors import DomainError
    from storefeed.orders.services import order_buy, order_pay, order_place

    try:
        if flow == "buy":
            order_buy(
                buyer=buyer.user,
                product_id=product.pk,
                address_id=buyer.address_id,
                pin=PIN,
                idempotency_key=f"flash-{i}",
            )
            return "paid"
        (order,) = order_place(
            buyer=buyer.user, items=[(product.pk, None, 1)], address_id=buyer.address_id
        )
        order_pay(buyer=buyer.user, order_id=order.pk, pin=PIN, idempotency_key=f"flash-{i}")
        return "paid"
    except DomainError as refused:
        return f"refused: {refused.code}"
    finally:
        connections.close_all()


def _post(url: str, token: str, body: dict, key: str | None, timeout: float) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # loopback only
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}


def buy_over_http(base_url: str, product, buyer: Buyer, i: int, flow: str) -> str:
    body = {
        "items": [{"product_id": str(product.pk), "quantity": 1}],
        "address_id": str(buyer.address_id),
    }
    try:
        if flow == "buy":
            one = {"product_id": str(product.pk), "address_id": str(buyer.address_id), "pin": PIN}
            status, paid = _post(f"{base_url}/api/shop/v1/buy", buyer.token, one, f"buy-{i}", 30)
            if status >= 300:
                return f"refused: {status} {paid.get('code') or paid.get('error', '')}"[:80]
            return "paid"
        status, placed = _post(
            f"{base_url}/api/shop/v1/orders", buyer.token, body, f"place-{i}", 30
        )
        if status >= 300:
            return f"refused: {status} {placed.get('code') or placed.get('error', '')}"[:80]
        orders = placed.get("orders", placed if isinstance(placed, list) else [placed])
        order_id = orders[0]["id"]
        status, paid = _post(
            f"{base_url}/api/shop/v1/orders/{order_id}/pay",
            buyer.token,
            {"pin": PIN},
            f"pay-{i}",
            30,
        )
        if status >= 300:
            return f"refused at pay: {status} {paid.get('code') or paid.get('error', '')}"[:80]
        return "paid"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return f"error: {error}"[:80]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(workers: int, threads: int, port: int = 0):
    """`storefeed serve` on a loopback port (`port`, or a free one; no demo, no worker),
    stopped afterwards."""
    port = port or free_port()
    root = Path(__file__).resolve().parents[1]
    command = [
        str(Path(sys.executable).with_name("storefeed")),
        "serve",
        "--no-demo",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--web-workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    log = stack_log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    server = subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"{base_url}/api/v1/instance", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        else:
            log.seek(0)
            raise SystemExit("the server did not start:\n" + log.read().decode()[-2000:])
        print(f"server: storefeed serve, {workers} workers x {threads} threads at {base_url}")
        yield base_url
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        stack_log.close()


def pgbench_tps(clients: int, seconds: float) -> float:
    """pgbench's rate of the conditional hot-row UPDATE on this database with `clients`
    clients: a one-row table made here and dropped afterwards."""
    from django.db import connection

    binary = shutil.which("pgbench") or "/usr/bin/pgbench"
    settings = connection.settings_dict
    table = "flash_bench_pgbench_" + secrets.token_hex(3)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute(f"INSERT INTO {table} VALUES (1, 1000000000000)")
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
            script.write(f"UPDATE {table} SET n = n - 1 WHERE id = 1 AND n >= 1;\n")
            script.flush()
            env = {**os.environ, "PGPASSWORD": str(settings.get("PASSWORD") or "")}
            command = [binary, "-n", "-f", script.name, "-c", str(clients)]
            command += ["-j", str(min(clients, 4)), "-T", str(max(1, int(seconds)))]
            command += ["-h", str(settings.get("HOST") or "127.0.0.1")]
            command += ["-p", str(settings.get("PORT") or 5432)]
            command += ["-U", str(settings.get("USER") or "postgres"), str(settings["NAME"])]
            ran = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    found = re.search(r"tps = ([0-9.]+)", ran.stdout)
    if ran.returncode != 0 or not found:
        raise SystemExit(f"pgbench failed: {ran.stdout[-500:]} {ran.stderr[-500:]}")
    return float(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--mode", choices=["http", "services"], default="http")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at most")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds for the race")
    parser.add_argument(
        "--flow",
        choices=["place-pay", "buy"],
        default="place-pay",
        help="place then pay (two requests), or buy now (one)",
    )
    parser.add_argument(
        "--serve", action="store_true", help="http mode: start a server on a free port"
    )
    parser.add_argument("--web-workers", type=int, default=4, help="with --serve")
    parser.add_argument("--threads", type=int, default=8, help="with --serve")
    parser.add_argument("--port", type=int, default=0, help="with --serve (default: a free one)")
    parser.add_argument(
        "--pgbench",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="seconds of pgbench's hot-row UPDATE as the yardstick (0: none)",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.mode == "http" and args.serve:
            args.base_url = stack.enter_context(served(args.web_workers, args.threads, args.port))
        return run(args)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.buyers <= MAX_BUYERS or not 1 <= args.units <= 100_000:
        raise SystemExit(f"--buyers is 1..{MAX_BUYERS}, --units 1..100000")
    base_url = loopback_only(args.base_url) if args.mode == "http" else ""
    if base_url:
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/instance", timeout=5):
                pass
        except (urllib.error.URLError, OSError) as error:
            raise SystemExit(
                f"no server answers at {base_url} ({error}); start one, or use --mode services"
            ) from None

    import django

    django.setup()
    from django.db import connection

    from storefeed.catalog.models import Product
    from storefeed.orders.invariants import stock_problems
    from storefeed.orders.models import OrderItem
    from storefeed.orders.states import SOLD_STATES
    from storefeed.wallet.invariants import ledger_problems

    print(f"database: {connection.vendor} ({connection.settings_dict.get('NAME')})")
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; figures mean little on SQLite")
    started = time.perf_counter()
    product, buyers = setup(args.buyers, args.units, tokens=args.mode == "http")
    print(
        f"set up {len(buyers)} buyers and {args.units} units in {time.perf_counter() - started:.1f}s"
    )

    stop_at = time.monotonic() + args.deadline
    gate = threading.Barrier(min(args.concurrency, len(buyers)))

    def one(i: int) -> str:
        if time.monotonic() > stop_at:
            return "not run (deadline)"
        if i < gate.parties:
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait(timeout=30)
        if args.mode == "http":
            return buy_over_http(base_url, product, buyers[i], i, args.flow)
        return buy_with_services(product, buyers[i], i, args.flow)

    race_started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        outcomes = list(pool.map(one, range(len(buyers))))
    elapsed = time.perf_counter() - race_started

    counts = Counter(outcomes)
    sold = sum(
        OrderItem.objects.filter(product=product, order__state__in=SOLD_STATES).values_list(
            "quantity", flat=True
        )
    )
    left = Product.objects.get(pk=product.pk).stock
    oversold = max(0, sold - args.units) + max(0, -left)
    problems = ledger_problems() + stock_problems()
    paid = counts.get("paid", 0)
    refused = sum(n for outcome, n in counts.items() if outcome.startswith("refused"))
    print(
        f"mode: {args.mode}, flow: {args.flow}, buyers: {len(buyers)}, units: {args.units}, "
        f"in flight: {args.concurrency}"
    )
    print(
        f"race: {elapsed:.2f}s, {len(buyers) / elapsed:.1f} buyers/s, {paid / elapsed:.1f} paid orders/s"
    )
    if args.pgbench > 0 and connection.vendor == "postgresql":
        tps = pgbench_tps(args.concurrency, args.pgbench)
        print(
            f"pgbench, conditional hot-row UPDATE, {args.concurrency} clients, "
            f"{args.pgbench:g}s: {tps:.0f} tps"
        )
        print(f"paid checkouts/s as a share of pgbench's: {100 * paid / elapsed / tps:.1f}%")
    print(f"paid orders: {paid}, units sold: {sold}, left: {left}, oversold units: {oversold}")
    print(f"refused requests: {refused}")
    for outcome, n in sorted(counts.items()):
        print(f"  {n:5d}  {outcome}")
    print("invariants: " + ("hold" if not problems else f"BROKEN ({len(problems)})"))
    for problem in problems[:20]:
        print(f"  {problem}")
    ok = oversold == 0 and not problems and paid == min(args.units, len(buyers))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
