"""`storefeed serve` (what `make run` runs): prepares a fresh var/, serves, stops cleanly, and
fails loudly when a child process dies."""

import os
import signal
import socket
import threading
import urllib.request
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from storefeed.core.management.commands.serve import (
    Command,
    demo_logins,
    demo_marker,
    port_free,
    recycling,
)
from tests.serving import serving


@pytest.fixture
def serve(tmp_path: Path):
    """`storefeed serve --no-demo` on a fresh var/ and a free port; yields (process, url)."""
    env = {
        "STOREFEED_VAR_DIR": str(tmp_path / "var"),
        "STOREFEED_DATABASE_URL": "",  # the embedded SQLite default, under tmp_path
        "WEB_CONCURRENCY": "1",
    }
    with serving(env) as (process, url):
        yield process, url


def children_of(pid: int) -> dict[str, int]:
    found = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid:
            names = ("gunicorn", "uvicorn", "worker", "beat")
            name = next((n for n in names if n in cmdline), cmdline)
            found[name] = int(status.parent.name)
    return found


def test_serve_answers_then_stops_cleanly_on_ctrl_c(serve, tmp_path):
    process, url = serve
    try:
        with urllib.request.urlopen(f"{url}/login", timeout=10) as response:
            page = response.read()
    except OSError as error:
        process.send_signal(signal.SIGINT)
        log = process.communicate(timeout=30)[0]
        pytest.fail(f"GET /login failed: {error}\n{log}")
    assert b"Storefeed" in page
    assert (tmp_path / "var" / "storefeed.sqlite3").exists()  # migrated on the way up
    assert (tmp_path / "var" / "static" / "staticfiles.json").exists()  # static collected
    kids = children_of(process.pid)
    assert set(kids) == {"gunicorn", "uvicorn", "worker", "beat"}

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    for pid in kids.values():
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_serve_stops_everything_and_fails_when_a_child_dies(serve):
    process, _ = serve
    kids = children_of(process.pid)
    os.kill(kids["worker"], signal.SIGKILL)
    assert process.wait(timeout=30) == 1
    assert process.stdout is not None
    assert "The background worker exited" in process.stdout.read()
    assert (
        not Path(f"/proc/{kids['gunicorn']}/cmdline").exists()
        or not Path(f"/proc/{kids['gunicorn']}/cmdline").read_bytes()
    )


def test_serve_refuses_a_busy_port_with_a_clear_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_free("127.0.0.1", port)
        with pytest.raises(CommandError, match=f"Port {port} on 127.0.0.1 is already in use"):
            call_command("serve", port=port, no_demo=True)


def test_the_demo_marker_is_per_database(tmp_path):
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/a.sqlite3"}
    other = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/b.sqlite3"}
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "storefeed", "HOST": "db"}
    markers = {demo_marker(tmp_path, db) for db in (sqlite, other, postgres)}
    assert len(markers) == 3
    assert demo_marker(tmp_path, sqlite) == demo_marker(tmp_path, dict(sqlite))


def test_the_printed_sign_ins_come_from_the_demo_package():
    from storefeed.demo import DEMO_LOGINS

    assert demo_logins() == [tuple(login) for login in DEMO_LOGINS]
    assert all(len(login) == 3 for login in demo_logins())


def gunicorn_argv(**options) -> list[str]:
    defaults = {"web_workers": 2, "threads": 4, "no_worker": True}
    commands = Command().child_commands("127.0.0.1", 8000, {**defaults, **options})
    return dict(commands)["web server (gunicorn)"]


def test_web_workers_are_not_restarted_under_load_unless_asked(settings):
    # Restarting every 2,000 requests restarted them every few seconds under load, and a
    # worker loading Django made the slowest requests (issue 9).
    assert settings.WEB_MAX_REQUESTS == 0
    assert "--max-requests" not in gunicorn_argv()
    settings.WEB_MAX_REQUESTS = 50_000
    argv = gunicorn_argv()
    assert argv[argv.index("--max-requests") + 1] == "50000"
    assert argv[argv.index("--max-requests-jitter") + 1] == "5000"
    assert recycling(0) == recycling(-1) == []


def test_web_workers_restarting_drop_no_request(tmp_path):
    """With recycling asked for (every ~40 requests here), a restarting worker finishes what it
    holds while the other serves, and each request is answered, on new connections and on
    kept-alive ones alike."""
    env = {
        "STOREFEED_VAR_DIR": str(tmp_path / "var"),
        "STOREFEED_DATABASE_URL": "",
        "WEB_CONCURRENCY": "2",
        "STOREFEED_WEB_MAX_REQUESTS": "40",
        "NO_PROXY": "127.0.0.1",
    }
    answers: list[object] = []
    log = tmp_path / "serve.log"
    with serving(env, "--no-worker", log=log) as (_process, url):

        def fresh_connections() -> None:
            for _ in range(30):
                try:
                    with urllib.request.urlopen(f"{url}/health", timeout=60) as response:
                        answers.append(response.status)
                except OSError as error:
                    answers.append(error)

        def kept_alive() -> None:
            with requests.Session() as session:
                for _ in range(30):
                    try:
                        answers.append(session.get(f"{url}/health", timeout=60).status_code)
                    except requests.RequestException as error:
                        answers.append(error)

        clients = [threading.Thread(target=fresh_connections) for _ in range(3)]
        clients += [threading.Thread(target=kept_alive) for _ in range(3)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    assert answers == [200] * 180, [a for a in answers if a != 200]
    assert log.read_text().count("Autorestarting worker") >= 2
