"""`storefeed worker`: the background worker, the same as django-tasks-db's `db_worker`."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run the background worker: takes queued tasks from the database and runs them. "
        "Start as many as you like, on as many machines as share the database."
    )
