"""`storefeed serve`: prepare the database and static files, then run the web server and worker.

It is what `make run` calls: migrate, load the demo once, collect static files, then supervise
its child processes: gunicorn (the web server), uvicorn (the streaming API, on the next port),
`storefeed worker` (background tasks) and `storefeed beat` (which enqueues the periodic
sweeps).
Ctrl-C or SIGTERM stops them all cleanly; if one dies, the rest are stopped and serve exits
non-zero, so a process manager sees the failure instead of a half-running site.
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

STOP_TIMEOUT = 20.0  # seconds a child gets to finish its current request or task


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def demo_marker(var_dir: Path, database: Mapping[str, Any]) -> Path:
    """The file that records the demo was loaded into this particular database."""
    key = "|".join(str(database.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return var_dir / f"demo-loaded-{digest}"


def demo_logins() -> list[tuple[str, str, str]]:
    """The demo package's (username, password, description) list, or [] if it has none.

    Looked up through the app registry: core sits below demo in the import layers.
    """
    if not apps.is_installed("storefeed.demo"):
        return []
    module = apps.get_app_config("demo").module
    logins = getattr(module, "DEMO_LOGINS", None) or []
    return [tuple(str(part) for part in login) for login in logins]  # type: ignore[misc]


def worker_command(interval: float | None = None) -> list[str]:
    """The background worker as serve starts it (bench/delivery.py starts the same)."""
    argv = [sys.executable, "-m", "storefeed", "worker", "--no-reload"]
    if interval is not None:
        argv += ["--interval", str(interval)]
    return argv


def recycling(max_requests: int) -> list[str]:
    """gunicorn's options for restarting a web worker after `max_requests` (0: never).

    Off by default: at 2,000 a busy site restarted its workers every few seconds, and each new
    worker loading Django made the slowest requests. A worker told to restart stops accepting,
    finishes what it has (--graceful-timeout) and is replaced while the others serve; the
    jitter (a tenth) keeps workers from restarting together."""
    if max_requests <= 0:
        return []
    return ["--max-requests", str(max_requests), "--max-requests-jitter", str(max_requests // 10)]


def streaming_command(host: str, options: dict[str, Any]) -> list[str]:
    """The streaming API (storefeed.streaming): one uvicorn process, one event loop, however
    many connections (they are idle most of the time; its database work runs in threads)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "storefeed.streaming.asgi:application",
        "--host",
        host,
        "--port",
        str(options.get("streaming_port", 0)),
        "--no-access-log",
        "--lifespan",
        "on",
        "--timeout-graceful-shutdown",
        "5",
        # What an idle connection costs (bench/streaming.py): the sans-I/O WebSocket protocol,
        # and no per-message deflate, whose zlib state was over half of it (61 -> 27 KiB).
        "--ws",
        "websockets-sansio",
        "--ws-per-message-deflate",
        "false",
    ]


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_listening(host: str, port: int, children: list[Child], timeout: float) -> bool:
    """Poll until something accepts connections on host:port, or a child exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.process.poll() is not None for child in children):
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Command(BaseCommand):
    help = (
        "Serve Storefeed: migrate, load the demo once, collect static files, then run gunicorn, "
        "the background worker and the periodic scheduler until Ctrl-C."
    )
    requires_system_checks: list[str] = []  # migrate runs the checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("STOREFEED_BIND_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--web-workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per web worker")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
        parser.add_argument(
            "--worker-interval",
            type=float,
            default=1.0,
            help=(
                "longest an idle worker waits for a wake-up (NOTIFY on PostgreSQL, its short "
                "poll on SQLite) before looking for tasks anyway (default 1)"
            ),
        )
        parser.add_argument(
            "--streaming-port",
            type=int,
            default=settings.STREAMING_PORT,
            help="port of the streaming API (uvicorn); 0 runs none (default: PORT + 1)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="run no background worker or scheduler here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        if not port_free(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use. Stop what runs there, or choose "
                f"another port: PORT=8001 make run"
            )
        streaming: int = options.get("streaming_port", 0)
        if streaming and not port_free(host, streaming):
            raise CommandError(
                f"Port {streaming} on {host} (the streaming API) is already in use. Choose "
                f"another: STOREFEED_STREAMING_PORT=8101 make run, or 0 for none"
            )
        self.stdout.write("Migrating the database...")
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"]:
            self.load_demo_once()
        self.stdout.write("Collecting static files...")
        call_command("collectstatic", interactive=False, verbosity=0)
        # The children open their own connections; do not hold one across their lifetime.
        connection.close()
        sys.exit(self.supervise(host, port, options))

    def load_demo_once(self) -> None:
        if "demo" not in get_commands():
            self.stderr.write(
                "No demo data: the `storefeed demo` command is not available in this build. "
                "The site starts empty; sign up to create an account."
            )
            return
        marker = demo_marker(settings.VAR_DIR, settings.DATABASES["default"])
        from django.contrib.auth import get_user_model

        if marker.exists() and get_user_model().objects.exists():
            self.stdout.write(f"Demo data already loaded (remove {marker} to load it again).")
            return
        self.stdout.write("Loading the demo data (first start only)...")
        call_command("demo")
        marker.write_text("The demo data was loaded into this database.\n")

    def child_commands(self, host: str, port: int, options: dict[str, Any]) -> list[tuple]:
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "storefeed.config.wsgi",
            "--bind",
            f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(options["web_workers"]),
            "--threads",
            str(options["threads"]),
            "--graceful-timeout",
            str(int(STOP_TIMEOUT) - 5),
            *recycling(settings.WEB_MAX_REQUESTS),
            "--access-logfile",
            "-",
            # gunicorn's control socket defaults to one path under $HOME, shared by every
            # instance on the machine; serve does not use it.
            "--no-control-socket",
        ]
        if settings.TRUSTED_PROXIES:
            # gunicorn believes the proxies' X-Forwarded-Proto from the same addresses.
            gunicorn += ["--forwarded-allow-ips", ",".join(settings.TRUSTED_PROXIES)]
        commands: list[tuple] = [("web server (gunicorn)", gunicorn)]
        if options.get("streaming_port", 0):
            commands.append(("streaming server (uvicorn)", streaming_command(host, options)))
        if not options["no_worker"]:
            worker = worker_command(options["worker_interval"])
            commands.append(("background worker", worker))
            if "beat" in get_commands():
                # Enqueues the periodic sweeps (scheduled posts, order expiry, ...).
                beat = [sys.executable, "-m", "storefeed", "beat"]
                commands.append(("periodic scheduler (beat)", beat))
        return commands

    def supervise(self, host: str, port: int, options: dict[str, Any]) -> int:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "storefeed.config.settings"
            ),
            # Children must agree with this process on where var/ is, whatever their cwd.
            "STOREFEED_VAR_DIR": str(settings.VAR_DIR),
            # The web processes tell clients where the streaming API is (the instance entity).
            "STOREFEED_STREAMING_PORT": str(options.get("streaming_port", 0)),
            "PYTHONUNBUFFERED": "1",
        }
        stop = threading.Event()
        received: list[int] = []

        def on_signal(signum: int, frame: object) -> None:
            received.append(signum)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        children: list[Child] = []
        try:
            for name, argv in self.child_commands(host, port, options):
                # Own process group: a terminal's Ctrl-C reaches only this process, which
                # then stops each child exactly once (a second SIGINT makes the worker abort).
                process = subprocess.Popen(argv, env=env, process_group=0)  # noqa: S603
                children.append(Child(name, process))
            streaming = options.get("streaming_port", 0)
            if wait_listening(host, port, children, timeout=60) and (
                not streaming or wait_listening(host, streaming, children, timeout=60)
            ):
                self.announce(host, port, streaming)
            while not stop.is_set():
                dead = [child for child in children if child.process.poll() is not None]
                if dead:
                    for child in dead:
                        self.stderr.write(
                            f"The {child.name} exited (code {child.process.returncode}); "
                            "stopping the rest."
                        )
                    self.stop_children(children)
                    return 1
                stop.wait(0.5)
            self.stdout.write("Stopping...")
            codes = self.stop_children(children)
            return 0 if all(code in (0, -signal.SIGTERM) for code in codes) else 1
        finally:
            self.stop_children(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop_children(self, children: list[Child]) -> list[int]:
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        codes = []
        for child in children:
            try:
                codes.append(child.process.wait(timeout=STOP_TIMEOUT))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {child.name} did not stop in time; killing it.")
                child.process.kill()
                codes.append(child.process.wait())
        return codes

    def announce(self, host: str, port: int, streaming: int = 0) -> None:
        shown = f"[{host}]" if ":" in host else host
        lines = ["", f"Storefeed is running at http://{shown}:{port}/"]
        if streaming:
            lines.append(f"Streaming API at ws://{shown}:{streaming}/api/v1/streaming")
        lines.append("")
        logins = demo_logins()
        if logins:
            lines.append("Demo sign-ins:")
            user_width = max(len(username) for username, _, _ in logins)
            password_width = max(len(password) for _, password, _ in logins)
            for username, password, description in logins:
                lines.append(
                    f"  {username.ljust(user_width)}  {password.ljust(password_width)}  "
                    f"{description}"
                )
            lines.append("")
        lines.append("Press Ctrl-C to stop.")
        self.stdout.write("\n".join(lines))
