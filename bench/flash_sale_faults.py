"""A flash sale with faults: N buyers race for K units through the shop API (place, then pay
with the PIN) of a `storefeed serve` this script starts on loopback, and in the middle of the
race a web worker and the background worker are killed with SIGKILL (requests die mid-way,
transactions are cut off). Afterwards every invariant is checked on the database:

- stock: left + reserved + sold = every unit ever put on sale, none negative, none oversold;
- the ledger: every transaction's entries sum to zero, no wallet below zero;
- no money lost: each buyer's wallet plus what their paid orders hold or paid equals their
  top-up, and the escrow holds exactly the paid orders' totals;
- expiry returns stock: the orders left unpaid (their buyers' pay request killed, say) are
  expired by the sweep and their units are back on sale.

PostgreSQL (the database the fault matters on); its own fresh seller and buyers each run:

    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        .venv/bin/python bench/flash_sale_faults.py --buyers 300 --units 100

Prints what was killed and when, the outcomes, and each invariant; exits 1 if any is broken.
Traffic goes to loopback only; the race is bounded by --buyers and --deadline.
"""

import argparse
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flash_sale  # the shared set-up and HTTP buyer of bench/flash_sale.py


def children(pid: int) -> list[int]:
    """Every process below `pid` (from /proc), depth first."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    stack = list(kids.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(kids.get(child, []))
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


WORKERS: list[subprocess.Popen] = []
SERVER_ENV: dict[str, str] = {}


@contextlib.contextmanager
def served(workers: int, threads: int, port: int = 0):
    """`storefeed serve` on a loopback port (`port` and the next one for streaming, or free
    ones), and a background worker beside it (a process of its own: serve stops everything
    when its own worker dies, as a supervisor expects)."""
    streaming = port + 1 if port else flash_sale.free_port()
    port = port or flash_sale.free_port()
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
    env = {**os.environ, "STOREFEED_STREAMING_PORT": str(streaming)}
    # The bench process runs tasks inline (bench/flash_sale.py); the server's worker must not.
    env.pop("STOREFEED_TASKS", None)
    SERVER_ENV.update(env)
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    root = Path(__file__).resolve().parents[1]
    server = subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"{base_url}/health", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        else:
            log.seek(0)
            raise SystemExit("the server did not start:\n" + log.read().decode()[-2000:])
        worker = start_worker(env, root)
        yield server, worker, base_url
        if server.poll() is not None:
            log.seek(0)
            print("the server stopped:\n" + log.read().decode()[-3000:])
    finally:
        for process in WORKERS:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def start_worker(env: dict, root: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("storefeed")), "worker"]
    worker = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    WORKERS.append(worker)
    return worker


def kill_one_web_worker_and_the_worker(server_pid: int, worker: subprocess.Popen) -> list[str]:
    """SIGKILL one gunicorn worker (not the master: it starts a new one) and the background
    worker, then start a new background worker, as a supervisor would; returns what was
    killed."""
    killed = []
    guns = [p for p in children(server_pid) if "gunicorn" in command_of(p)]
    master = next((p for p in guns if set(children(p)) & set(guns)), None)
    for one in (children(master) if master is not None else [])[:1]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(one, signal.SIGKILL)
            killed.append(f"web worker {one}")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed.append(f"background worker {worker.pid}")
    start_worker(SERVER_ENV, Path(__file__).resolve().parents[1])
    return killed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds for the race")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="the server's (and +1 streaming)")
    parser.add_argument(
        "--kill-after", type=float, default=0.3, help="kill when this share of buyers is done"
    )
    args = parser.parse_args()
    if not 1 <= args.buyers <= flash_sale.MAX_BUYERS or not 1 <= args.units <= 100_000:
        raise SystemExit(f"--buyers is 1..{flash_sale.MAX_BUYERS}, --units 1..100000")

    with served(args.web_workers, args.threads, args.port) as (server, worker, base_url):
        import django

        django.setup()
        from django.db import connection

        print(f"database: {connection.vendor} ({connection.settings_dict.get('NAME')})")
        product, buyers = flash_sale.setup(args.buyers, args.units, tokens=True)
        done = 0
        lock = threading.Lock()
        kill_at = max(1, int(args.buyers * args.kill_after))
        killed: list[str] = []
        stop_at = time.monotonic() + args.deadline

        def one(i: int) -> str:
            nonlocal done
            if time.monotonic() > stop_at:
                return "not run (deadline)"
            outcome = flash_sale.buy_over_http(base_url, product, buyers[i], i, "place-pay")
            with lock:
                done += 1
                if done == kill_at:
                    killed.extend(kill_one_web_worker_and_the_worker(server.pid, worker))
                    print(f"after {done} buyers, SIGKILL: {', '.join(killed) or 'nothing found'}")
            return outcome

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            outcomes = list(pool.map(one, range(len(buyers))))
        print(f"race: {time.perf_counter() - started:.1f}s, {len(buyers)} buyers")
    for outcome, n in sorted(Counter(outcomes).items()):
        print(f"  {n:5d}  {outcome}")
    return check(product, buyers, args.units, killed)


def check(product, buyers, units: int, killed: list[str]) -> int:
    from django.db.models import Sum
    from django.utils import timezone

    from storefeed.catalog.models import Product
    from storefeed.orders.invariants import stock_problems
    from storefeed.orders.models import Order, OrderItem
    from storefeed.orders.services import orders_expire_due
    from storefeed.orders.states import RESERVED_STATES, SOLD_STATES
    from storefeed.wallet.invariants import ledger_problems
    from storefeed.wallet.models import AccountKind, LedgerAccount
    from storefeed.wallet.selectors import escrow_held, wallet_balance

    results: list[tuple[str, bool, str]] = []

    def units_in(states) -> int:
        return (
            OrderItem.objects.filter(product=product, order__state__in=states).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )

    left = Product.objects.get(pk=product.pk).stock
    sold, reserved = units_in(SOLD_STATES), units_in(RESERVED_STATES)
    results.append(
        (
            "stock adds up, nothing oversold",
            not stock_problems() and left + reserved + sold == units and sold <= units,
            f"left {left} + reserved {reserved} + sold {sold} = {left + reserved + sold} of {units}",
        )
    )
    ledger = ledger_problems()
    negative = LedgerAccount.objects.filter(kind=AccountKind.USER_WALLET, balance__lt=0).count()
    results.append(
        (
            "ledger sums to zero, no wallet below zero",
            not ledger and not negative,
            f"{negative} negative",
        )
    )
    lost = []
    escrow_expected = 0
    for buyer in buyers:
        orders = Order.objects.filter(buyer=buyer.user, state__in=SOLD_STATES)
        paid = sum(o.total_fen for o in orders)
        escrow_expected += sum(escrow_held(ref=o.ref, currency=o.currency) for o in orders)
        if wallet_balance(account=buyer.user) + paid != 2000:
            lost.append(buyer.user.username)
    paid_total = (
        Order.objects.filter(buyer__in=[b.user for b in buyers], state__in=SOLD_STATES).aggregate(
            n=Sum("total_fen")
        )["n"]
        or 0
    )
    results.append(
        (
            "no money lost: wallet + paid = top-up, escrow holds the paid orders",
            not lost and escrow_expected == paid_total,
            f"{len(lost)} buyers off; escrow {escrow_expected} fen for {paid_total} fen paid",
        )
    )
    # Orders left unpaid: past their deadline the sweep expires them and their units return.
    Order.objects.filter(
        pk__in=Order.objects.filter(items__product=product, state__in=RESERVED_STATES).values("pk")
    ).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = orders_expire_due(limit=10_000)
    left_after = Product.objects.get(pk=product.pk).stock
    results.append(
        (
            "expiry returns stock",
            units_in(RESERVED_STATES) == 0
            and left_after == units - units_in(SOLD_STATES)
            and not stock_problems(),
            f"{expired} orders expired, {left_after} units on sale again",
        )
    )
    print(f"killed: {', '.join(killed) or 'nothing'}")
    for name, ok, detail in results:
        print(f"{'ok    ' if ok else 'BROKEN'}  {name}: {detail}")
    return 0 if all(ok for _n, ok, _d in results) and killed else 1


if __name__ == "__main__":
    sys.exit(main())
