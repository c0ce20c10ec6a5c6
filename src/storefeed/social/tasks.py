"""Background tasks of the social graph: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.social import services


@task()
def expire_mute(mute_id: int) -> None:
    """Deferred to a timed mute's end; does nothing if it was renewed or undone."""
    services.mute_expire(mute_id=mute_id)


@task()
def expire_due_mutes() -> None:
    """The periodic sweep behind the deferred tasks (run it every minute or so)."""
    services.mutes_expire_due()
