"""Background work: tasks are enqueued in the transaction and run once by the workers.

The tests swap the test settings' inline backend for the real database queue
(django-tasks-db), which is what `make run` and every deployment use.
"""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from storefeed.accounts.models import User
from storefeed.core.management.commands.worker import QueueListener
from tests.conftest import make_user
from tests.serving import read_until
from tests.worker_tasks import record

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def runs(log: Path) -> Counter[str]:
    """How many times each key's task ran, from the task's own log."""
    if not log.exists():
        return Counter()
    return Counter(line.split()[0] for line in log.read_text().splitlines())


def run_worker_in_process() -> None:
    call_command("worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_is_never_queued(database_queue, tmp_path):
    log = tmp_path / "runs.log"
    queued_inside: list[int] = []

    def write_then_fail() -> None:
        with transaction.atomic(durable=True):
            make_user("dora")
            record.enqueue(str(log), "lost")
            queued_inside.append(DBTaskResult.objects.count())
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError, match="the write failed"):
        write_then_fail()

    # Queued inside the transaction, and gone with it, together with the data it was about.
    assert queued_inside == [1]
    assert DBTaskResult.objects.count() == 0
    assert not User.objects.filter(username="dora").exists()
    run_worker_in_process()
    assert runs(log) == Counter()


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_committed_transaction_waits_for_the_worker(database_queue, tmp_path):
    log = tmp_path / "runs.log"

    with transaction.atomic(durable=True):
        make_user("dora")
        result = record.enqueue(str(log), "kept")

    # Committed, queued, and not run by the request that enqueued it.
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY
    assert runs(log) == Counter()

    run_worker_in_process()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "kept"
    assert record.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    assert runs(log) == Counter({"kept": 1})

    # A second pass finds nothing to do: a finished task is never run again.
    run_worker_in_process()
    assert runs(log) == Counter({"kept": 1})


def database_url() -> str:
    """A URL for the database this test run uses, for processes started by the test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{quote(db['NAME'])}"


def worker_env() -> dict[str, str]:
    """The environment of a worker process on this test run's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefeed.config.settings",  # the real database queue
        "STOREFEED_TASKS": "database",
        "STOREFEED_DATABASE_URL": database_url(),
        "STOREFEED_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }


@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_is_woken_by_a_committed_task(database_queue, tmp_path):
    """The worker waits up to --interval (here ten minutes) for a wake-up: PostgreSQL's NOTIFY
    from the task table's trigger, or on SQLite its short poll. It runs the task committed
    while it waits, and --max-tasks 1 makes it exit then; a worker that slept its interval
    would miss the deadline below by minutes."""
    log = tmp_path / "runs.log"
    options = ["--interval", "600", "--max-tasks", "1", "--worker-id", "idle-1"]
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "storefeed",
            "worker",
            "--no-reload",
            "--no-startup-delay",
            *options,
        ],
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        shown = read_until(worker, "idle, waiting for tasks", timeout=60)
        assert "idle, waiting for tasks" in shown, shown
        with transaction.atomic(durable=True):
            record.enqueue(str(log), "woken")
        output = worker.communicate(timeout=120)[0]
    finally:
        worker.kill()
        worker.wait()
    assert worker.returncode == 0, shown + output
    assert runs(log) == Counter({"woken": 1})
    assert DBTaskResult.objects.get().worker_ids == ["idle-1"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_task_table_notifies_listeners_when_a_task_is_committed(database_queue, tmp_path):
    listener = QueueListener(connection.alias)
    assert listener.listen()
    try:
        with transaction.atomic(durable=True):
            record.enqueue(str(tmp_path / "runs.log"), "inside")
            # NOTIFY is transactional: nothing is delivered before the commit...
            assert listener.wait(0) is False
            transaction.set_rollback(True)
        # ...nor after a rollback,
        assert listener.wait(0) is False
        with transaction.atomic(durable=True):
            record.enqueue(str(tmp_path / "runs.log"), "committed")
            record.enqueue(str(tmp_path / "runs.log"), "committed too")
        # ...and once on the commit (the wait returns as soon as it arrives).
        assert listener.wait(60) is True
        assert listener.wait(0) is False
    finally:
        listener.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_run_each_task_exactly_once(database_queue, tmp_path):
    log = tmp_path / "runs.log"
    keys = [f"task-{n:03d}" for n in range(120)]
    with transaction.atomic(durable=True):
        for key in keys:
            record.enqueue(str(log), key)

    env = worker_env()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "storefeed",
                "worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0",
                "--worker-id",
                f"worker-{n}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in (1, 2)
    ]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    assert runs(log) == Counter(dict.fromkeys(keys, 1))
    rows = list(DBTaskResult.objects.all())
    assert len(rows) == len(keys)
    assert {row.status for row in rows} == {TaskResultStatus.SUCCESSFUL}
    # Each task was claimed once, by one of the two workers.
    assert all(len(row.worker_ids) == 1 for row in rows)
    assert {row.worker_ids[0] for row in rows} <= {"worker-1", "worker-2"}
