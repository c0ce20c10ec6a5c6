"""`storefeed worker`: the background worker, django-tasks-db's `db_worker` made prompt and sturdier.

Prompt: an idle worker does not sleep a fixed interval. On PostgreSQL it LISTENs on a channel
that a trigger on the task table notifies when a task row is committed (core migration 0001),
and wakes at once; elsewhere (SQLite) it looks for a ready task every `--poll` seconds with a
cheap indexed read, taking the queue's write lock only when there is something to claim.
Either way it looks again after `--interval` seconds without a wake-up (deferred tasks whose
time has come, a notification lost while the database was away). Claiming is unchanged
(`SELECT ... FOR UPDATE SKIP LOCKED`), so however many workers wake, each task runs once.
"""

import contextlib
import logging
import random
import time
from argparse import ArgumentTypeError
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger("storefeed.worker")

# The channel core/migrations/0001_task_wakeup.py's trigger notifies (that migration spells it
# out too: migrations do not import application code).
CHANNEL = "storefeed_tasks"


class QueueListener:
    """A PostgreSQL connection of its own, LISTENing on CHANNEL. Django's connection is closed
    and reopened between tasks (CONN_MAX_AGE), which would drop a LISTEN made on it."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.wrapper: Any = None

    def listen(self) -> bool:
        """Connect and LISTEN; False (logged) if the database cannot be reached now."""
        self.close()
        try:
            wrapper = connections.create_connection(self.alias)
            wrapper.connect()
            wrapper.connection.execute(f"LISTEN {CHANNEL}")
        except (DatabaseError, psycopg.Error):
            logger.warning("Cannot LISTEN for new tasks; polling until it can", exc_info=True)
            return False
        self.wrapper = wrapper
        return True

    def wait(self, timeout: float) -> bool | None:
        """Wait up to `timeout` seconds for a notification and take in any others pending.
        True: woken (or just reconnected, so something may have been missed); False: timed
        out; None: not listening (the caller polls instead)."""
        if self.wrapper is None:
            return True if self.listen() else None
        try:
            woken = any(
                True for _ in self.wrapper.connection.notifies(timeout=timeout, stop_after=1)
            )
            if woken:
                for _ in self.wrapper.connection.notifies(timeout=0):
                    pass
        except psycopg.Error:
            logger.warning("Lost the LISTEN connection; reconnecting", exc_info=True)
            self.close()
            return None
        return woken

    def close(self) -> None:
        if self.wrapper is not None:
            with contextlib.suppress(DatabaseError, psycopg.Error):
                self.wrapper.close()
            self.wrapper = None


class PromptWorker(db_worker.Worker):
    """db_worker's Worker with a wake-up instead of a sleep, and sturdier `run_task`."""

    poll = 0.05  # seconds between cheap looks when there is no wake-up signal

    def ready_tasks(self) -> DBTaskResultQuerySet:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def claim(self) -> tuple[DBTaskResult | None, bool]:
        """The next ready task, claimed for this worker (or None), and whether the queue
        could be read (SQLite may report it locked)."""
        tasks = self.ready_tasks()
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result, True
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None, False
            raise

    def run(self) -> None:
        # The loop of db_worker.Worker.run, with wait_for_work() where it slept.
        database = connections[DBTaskResult.objects.db]
        listener = QueueListener(database.alias) if database.vendor == "postgresql" else None
        # LISTEN before the first look, so a task committed in between still wakes us.
        if listener is not None:
            listener.listen()
        how = "PostgreSQL NOTIFY" if listener is not None else f"a look every {self.poll} s"
        logger.info("Worker %s started: woken by %s", self.worker_id, how)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # no thundering herd of workers started together
        idle_logged = False
        try:
            while self.running:
                close_old_connections()
                task_result, looked = self.claim()
                if task_result is not None:
                    self.run_task(task_result)
                if self.batch and looked and task_result is None:
                    logger.info("No more tasks for worker %s; exiting.", self.worker_id)
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    logger.info(
                        "Ran %d tasks on worker %s; exiting.", self._run_tasks, self.worker_id
                    )
                    return
                close_old_connections()
                if self.running and task_result is None:
                    if not idle_logged:
                        logger.info("Worker %s idle, waiting for tasks", self.worker_id)
                        idle_logged = True
                    self.wait_for_work(listener)
        finally:
            if listener is not None:
                listener.close()

    def wait_for_work(self, listener: QueueListener | None) -> None:
        """Return when a task may be ready, or after `interval` seconds at the most."""
        if listener is not None and listener.wait(self.interval) is not None:
            return
        deadline = time.monotonic() + self.interval
        while self.running and (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(self.poll, remaining))
            try:
                if self.ready_tasks().exists():
                    return
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # db_worker records the outcome by updating the task's row; if that row was deleted
        # meanwhile (results pruned by hand, a test database flushed), the update raises and
        # would end the worker. The task ran; losing its result row must not stop the queue.
        try:
            super().run_task(db_task_result)
        except DatabaseError:
            if DBTaskResult.objects.filter(pk=db_task_result.pk).exists():
                raise
            logger.warning("Task %s ran, but its result row is gone", db_task_result.pk)


def positive_seconds(value: str) -> float:
    seconds = db_worker.valid_interval(value)
    if seconds <= 0:
        raise ArgumentTypeError("Must be greater than zero")
    return seconds


class Command(db_worker.Command):
    help = (
        "Run the background worker: takes queued tasks from the database and runs them. "
        "Start as many as you like, on as many machines as share the database."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--poll",
            type=positive_seconds,
            default=settings.WORKER_POLL_SECONDS,
            help=(
                "Without PostgreSQL's NOTIFY (SQLite): seconds between cheap looks for a "
                "ready task while idle (default: STOREFEED_WORKER_POLL or 0.05)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        PromptWorker.poll = options.pop("poll")
        # db_worker's handle() builds its worker from this module-level name.
        db_worker.Worker = PromptWorker  # type: ignore[misc]
        super().handle(*args, **options)
