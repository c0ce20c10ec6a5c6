"""A task for tests/test_tasks.py only; worker subprocesses import it (PYTHONPATH=repo root)."""

import os

from django.tasks import task


@task
def record(path: str, key: str) -> str:
    """Append `key` and the running process id to the file at `path`: one line per run."""
    # O_APPEND writes of one short line are atomic, so concurrent workers never interleave.
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"{key} {os.getpid()}\n")
    return key
