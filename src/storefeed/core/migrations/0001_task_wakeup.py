"""On PostgreSQL, wake idle workers when a task is committed: a statement-level trigger on
django-tasks-db's table sends NOTIFY storefeed_tasks (the channel storefeed worker LISTENs on,
core/management/commands/worker.py). NOTIFY is transactional: it is delivered when the
enqueuing transaction commits, never if it rolls back, and one transaction's notifications on
the channel are delivered as one. Other databases poll instead; nothing to create there."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
CREATE = [
    """
    CREATE OR REPLACE FUNCTION storefeed_tasks_notify() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('storefeed_tasks', '');
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE TRIGGER storefeed_tasks_notify AFTER INSERT ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION storefeed_tasks_notify()
    """,
]
DROP = [
    f"DROP TRIGGER IF EXISTS storefeed_tasks_notify ON {TABLE}",
    "DROP FUNCTION IF EXISTS storefeed_tasks_notify()",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
