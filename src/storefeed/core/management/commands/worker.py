"""`storefeed worker`: the background worker, django-tasks-db's `db_worker` made sturdier."""

import logging
from typing import Any

from django.db import DatabaseError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("storefeed.worker")


class SturdyWorker(db_worker.Worker):
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


class Command(db_worker.Command):
    help = (
        "Run the background worker: takes queued tasks from the database and runs them. "
        "Start as many as you like, on as many machines as share the database."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # db_worker's handle() builds its worker from this module-level name.
        db_worker.Worker = SturdyWorker  # type: ignore[misc]
        super().handle(*args, **options)
