"""Starting and stopping `storefeed serve` (what `make run` runs) from a test."""

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

READY_LINE = "Press Ctrl-C to stop."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_until(process: subprocess.Popen, needle: str, timeout: float) -> str:
    """Collect the process's output until `needle` appears (or it exits, or time runs out)."""
    assert process.stdout is not None
    seen = ""
    watcher = selectors.DefaultSelector()
    watcher.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        if not watcher.select(timeout=deadline - time.monotonic()):
            break
        line = process.stdout.readline()
        if not line:
            break
        seen += line
    return seen


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        # SIGTERM first: serve stops its children (each in a process group of its own), which
        # a SIGKILL to serve alone would leave running.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def serving(
    env: Mapping[str, str], *args: str, log: Path | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run `storefeed serve --no-demo *args` with the production settings and `env` added to
    this process's environment, on a free port; yields (process, base URL) once it answers.

    The server's output is the process's stdout pipe, or, for a long-running server whose pipe
    nobody would read (it would block once full), the file `log`."""
    port = free_port()
    sink = log.open("w") if log is not None else subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "storefeed", "serve", "--no-demo", *args],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "storefeed.config.settings",
            "PORT": str(port),
            # The streaming API's port: a free one (PORT + 1, the default, may be taken).
            "STOREFEED_STREAMING_PORT": str(free_port()),
            **env,
        },
        stdout=sink,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
    )
    try:
        if log is None:
            shown = read_until(process, READY_LINE, timeout=120)
        else:
            shown = _wait_in_file(process, log, READY_LINE, timeout=120)
        assert f"Storefeed is running at http://127.0.0.1:{port}/" in shown, shown
        yield process, f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        if log is not None:
            sink.close()  # type: ignore[union-attr]


def _wait_in_file(process: subprocess.Popen, log: Path, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        shown = log.read_text()
        if needle in shown:
            return shown
        time.sleep(0.1)
    return log.read_text()
