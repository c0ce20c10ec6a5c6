"""Streaming API benchmark: what idle connections cost, and how many events per second the
streaming process delivers.

    .venv/bin/python bench/streaming.py --connections 2000 --posts 20
    .venv/bin/python bench/streaming.py --redis-url redis://127.0.0.1:6379/14

Starts the streaming process exactly as `storefeed serve` does (uvicorn serving
storefeed.streaming.asgi) on a fresh SQLite database in a temporary directory, then:

1. memory: opens N WebSockets (subscribed to `public`, then idle) and prints the process's
   resident memory before and after, and the difference per connection;
2. public fan-out: posts P public statuses through `posts.services.status_create` (in this
   process; the event reaches the streaming process through the event table, or Redis with
   --redis-url) and times until every connection received every post: messages per second
   (each post is rendered once and written to N sockets);
3. home delivery: U of the connections are signed-in followers of the poster on their `user`
   stream (each post is checked against each reader's home and rendered for each reader):
   messages per second.

Traffic stays on 127.0.0.1; bounded: at most 5,000 connections, 200 posts, 60 s per phase.
"""

import argparse
import asyncio
import ipaddress
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ["STOREFEED_VAR_DIR"] = tempfile.mkdtemp(prefix="storefeed-bench-stream-")
os.environ["STOREFEED_DATABASE_URL"] = ""
os.environ["STOREFEED_TASKS"] = "immediate"  # fan-out inline: the `home` event follows

PHASE_SECONDS = 60.0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def open_sockets(url: str, count: int, first: dict | None) -> list:
    from websockets.asyncio.client import connect

    sockets = []
    for start in range(0, count, 100):  # in groups: the accept queue stays short
        group = await asyncio.gather(
            *(
                connect(url, max_queue=None, ping_interval=None)
                for _ in range(start, min(count, start + 100))
            )
        )
        if first is not None:
            await asyncio.gather(*(ws.send(json.dumps(first)) for ws in group))
        sockets += group
    return sockets


async def drain(sockets: list, expected: int, deadline: float) -> int:
    """Receive on every socket until each has `expected` update frames; returns how many."""

    async def one(ws) -> int:
        got = 0
        while got < expected:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                raw = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            if json.loads(raw).get("event") == "update":
                got += 1
        return got

    return sum(await asyncio.gather(*(one(ws) for ws in sockets)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--followers", type=int, default=200, help="signed-in user streams")
    parser.add_argument("--redis-url", default="", help="carry events over Redis pub/sub")
    parser.add_argument("--ws", default="websockets-sansio", help="uvicorn's --ws")
    parser.add_argument("--deflate", default="false", help="uvicorn's --ws-per-message-deflate")
    args = parser.parse_args()
    if not 1 <= args.connections <= 5000 or not 1 <= args.posts <= 200:
        parser.error("1-5000 connections, 1-200 posts")
    if not 0 <= args.followers <= min(args.connections, 1000):
        parser.error("followers: 0-1000, at most the connections")
    if args.redis_url and not loopback(args.redis_url):
        parser.error("--redis-url must be a loopback address")
    os.environ["STOREFEED_REDIS_URL"] = args.redis_url
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * args.connections + 256)), hard)
    )

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from oauth2_provider.models import Application

    from storefeed.accounts.models import User
    from storefeed.api.services import access_token_issue
    from storefeed.posts import services as posts
    from storefeed.social import services as social

    poster = User.objects.create_user(
        username="poster", email="p@example.com", password=secrets.token_hex()
    )
    app = Application.objects.create(
        name="bench", client_type="public", authorization_grant_type="password", redirect_uris=""
    )
    tokens = []
    for i in range(args.followers):
        reader = User.objects.create_user(username=f"r{i}", email=f"r{i}@example.com", password="x")
        social.follow_create(follower=reader, target=poster)
        tokens.append(access_token_issue(application=app, account=reader, scopes=["read"]))

    port = free_port()
    env = {**os.environ, "STOREFEED_STREAMING_PORT": str(port), "STOREFEED_STREAMING_POLL": "0.2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "storefeed.streaming.asgi:application", "--host",
         "127.0.0.1", "--port", str(port), "--no-access-log", "--lifespan", "on",
         "--log-level", "warning", "--ws", args.ws, "--ws-per-message-deflate", args.deflate],
        env=env,
    )  # fmt: skip
    try:
        return asyncio.run(run(args, port, process.pid, tokens, poster, posts))
    finally:
        process.terminate()
        process.wait(timeout=30)


async def run(args, port: int, pid: int, tokens: list[str], poster, posts) -> int:
    import requests

    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{root}/api/v1/streaming/health", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the streaming process did not start")
        await asyncio.sleep(0.1)
    ws_url = f"ws://127.0.0.1:{port}/api/v1/streaming"
    print(f"events via {'Redis pub/sub' if args.redis_url else 'the event table (0.2 s poll)'}")

    await asyncio.sleep(1)
    before = rss_kib(pid)
    public = await open_sockets(ws_url + "?stream=public", args.connections - args.followers, None)
    users = []
    for token in tokens:
        users += await open_sockets(f"{ws_url}?stream=user&access_token={token}", 1, None)
    await asyncio.sleep(2)
    after = rss_kib(pid)
    count = len(public) + len(users)
    print(f"idle connections: {count}")
    print(
        f"streaming process RSS: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB with them"
    )
    print(f"memory per idle connection: {(after - before) * 1024 / max(count, 1) / 1024:.1f} KiB")

    # Public fan-out: each post rendered once, written to every public socket.
    started = time.monotonic()
    await asyncio.to_thread(
        lambda: [
            posts.status_create(account=poster, text=f"Bench post {i}") for i in range(args.posts)
        ]
    )
    got = await drain(public + users, args.posts, started + PHASE_SECONDS)
    elapsed = time.monotonic() - started
    want = args.posts * count
    print(
        f"public + home: {got}/{want} update messages in {elapsed:.2f} s "
        f"= {got / elapsed:,.0f} messages/s ({args.posts} posts to {len(public)} public "
        f"and {len(users)} user streams)"
    )
    if users:
        for ws in public:
            await ws.close()
        started = time.monotonic()
        await asyncio.to_thread(
            lambda: [
                posts.status_create(account=poster, text=f"Home post {i}")
                for i in range(args.posts)
            ]
        )
        got = await drain(users, args.posts, started + PHASE_SECONDS)
        elapsed = time.monotonic() - started
        print(
            f"home only: {got}/{args.posts * len(users)} messages in {elapsed:.2f} s = "
            f"{got / elapsed:,.0f} messages/s (each checked against the reader's home and "
            f"rendered for the reader)"
        )
    for ws in users:
        await ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
