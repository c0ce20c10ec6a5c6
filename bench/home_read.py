"""Home timeline reads under load: the API page and the HTML page against a constant-JSON view.

Starts `storefeed serve` (gunicorn, the worker and beat, as `make run` does) on a loopback port
with the demo data, signs in as `demo`, and runs wrk with C connections in turn against:

- the yardstick: `GET /bench/constant`, a constant JSON answer from the same processes
  (mounted only when STOREFEED_BENCH_YARDSTICK=1, which this script sets);
- `GET /api/v1/timelines/home` (a page of 20 with product cards, bearer token);
- `GET /` signed in (the HTML home page).

It prints requests/s, p50/p99 latency and each ratio to the yardstick (the yardstick is run
before and after, and the mean of the two is used), the CPU each request cost the server's
processes and the database's backends (read from /proc, so other work on a shared machine
does not skew it as it skews throughput) and that ratio too, plus the queries one API page
and one HTML page cost (counted in this process with Django's test client on the same
database).

    createdb -h 127.0.0.1 -U postgres storefeed_bench
    STOREFEED_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storefeed_bench \\
        .venv/bin/python bench/home_read.py --seconds 10 --connections 32

Loopback only; bounded (at most 60 s per run). Needs wrk (`apt install wrk`).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(base: str, server: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("storefeed serve exited before answering")
        try:
            if httpx.get(f"{base}/bench/constant", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("storefeed serve did not answer in time")


def api_token(base: str) -> str:
    app = httpx.post(
        f"{base}/api/v1/apps",
        timeout=60,
        data={
            "client_name": "bench",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read",
        },
    ).json()
    token = httpx.post(
        f"{base}/oauth/token",
        timeout=60,  # the password check is slow on purpose, slower on a loaded machine
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": "demo",
            "password": "weibo-shopping",
            "scope": "read",
        },
    ).json()
    return str(token["access_token"])


def web_cookie(base: str) -> str:
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/login")
        csrf = client.cookies.get("csrftoken") or ""
        answer = client.post(
            "/login",
            data={"username": "demo", "password": "weibo-shopping", "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{base}/login"},
        )
        if answer.status_code not in (200, 302) or "sessionid" not in client.cookies:
            raise SystemExit(f"web sign-in failed ({answer.status_code})")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    """`root` and every process below it (the server's gunicorn, worker and beat)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def database_pids() -> list[int]:
    """PostgreSQL's backends serving the bench's database (empty on SQLite)."""
    url = os.environ.get("STOREFEED_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return []
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(
    url: str, *, seconds: int, connections: int, headers: dict[str, str], server: int = 0
) -> dict[str, float]:
    """One wrk run; with `server` (the serve process's pid), also the CPU the server's
    processes and the database's backends spent per request, which the other work on a
    shared machine does not disturb as it does throughput."""
    pids = descendants(server) + database_pids() if server else []
    before = cpu_seconds(pids)
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    result = {"rps": rate, "errors": 0.0}
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for pct, value, unit in LATENCY.findall(out):
        result[f"p{pct}"] = float(value) * scale[unit]
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        result["errors"] = float(m.group(1))
    if pids:
        done = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        result["cpu_ms"] = 1000 * (cpu_seconds(pids) - before) / max(done, 1)
    return result


def queries_per_page() -> tuple[int, int]:
    """Queries of one API home page and one HTML home page, in this process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from oauth2_provider.models import AccessToken

    from storefeed.accounts.models import User

    demo = User.objects.get(username="demo")
    # A copy of the newest token under a value of our own (stored tokens keep only their
    # checksum, so the sign-in's value cannot be read back).
    import secrets

    token = AccessToken.objects.filter(user=demo).order_by("-id").first()
    assert token is not None
    value = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=demo,
        application=token.application,
        token=value,
        scope=token.scope,
        expires=token.expires,
    )
    client = Client(HTTP_HOST="127.0.0.1")
    counts = []
    for _ in range(2):  # the second read is the warm one
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/v1/timelines/home", HTTP_AUTHORIZATION=f"Bearer {value}")
        api = len(ctx.captured_queries)
        client.force_login(demo)
        with CaptureQueriesContext(connection) as ctx:
            client.get("/")
        counts = [api, len(ctx.captured_queries)]
    return counts[0], counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="loopback port (default: a free one)")
    args = parser.parse_args()
    seconds = max(1, min(args.seconds, 60))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt install wrk)")
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STOREFEED_BENCH_YARDSTICK": "1",
        "STOREFEED_API_RATE_LIMIT": str(10**9),
        "STOREFEED_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(BIN / "storefeed"),
            "serve",
            "--port",
            str(port),
            "--web-workers",
            str(args.web_workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        wait_up(base, server)
        token = api_token(base)
        cookie = web_cookie(base)
        home = {"Authorization": f"Bearer {token}"}
        # Warm every process (caches, connections) before measuring.
        wrk(f"{base}/api/v1/timelines/home", seconds=2, connections=4, headers=home)
        wrk(f"{base}/", seconds=2, connections=4, headers={"Cookie": cookie})
        load = {"seconds": seconds, "connections": args.connections, "server": server.pid}
        runs = {}
        runs["yardstick"] = wrk(f"{base}/bench/constant", headers={}, **load)
        runs["home API"] = wrk(f"{base}/api/v1/timelines/home", headers=home, **load)
        html = {"Cookie": cookie, "Accept-Encoding": "gzip"}
        runs["home HTML"] = wrk(f"{base}/", headers=html, **load)
        after = wrk(f"{base}/bench/constant", headers={}, **load)
        yard = (runs["yardstick"]["rps"] + after["rps"]) / 2
        yard_cpu = (runs["yardstick"]["cpu_ms"] + after["cpu_ms"]) / 2
        print(f"{args.connections} connections, {seconds} s each, base {base}")
        print(
            f"yardstick before/after: {runs['yardstick']['rps']:.0f} / {after['rps']:.0f} req/s, "
            f"{yard_cpu:.2f} ms of CPU per request (web processes + database backends)"
        )
        for name in ("home API", "home HTML"):
            r = runs[name]
            print(
                f"{name:10} {r['rps']:8.1f} req/s  p50 {r.get('p50', 0):7.1f} ms  "
                f"p99 {r.get('p99', 0):7.1f} ms  non-2xx {r['errors']:.0f}  "
                f"= {100 * r['rps'] / yard:.1f}% of the yardstick's rate; "
                f"CPU {r['cpu_ms']:.2f} ms/request = {100 * yard_cpu / r['cpu_ms']:.1f}% "
                "of the yardstick's"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    api_q, html_q = queries_per_page()
    print(f"queries per page (warm): API {api_q}, HTML {html_q}")


if __name__ == "__main__":
    main()
