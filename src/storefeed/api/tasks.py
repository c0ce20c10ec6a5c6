"""Background tasks of the API layer: thin, idempotent wrappers around its services."""

from django.tasks import task

from storefeed.api import push


@task()
def deliver_push(notification_ids: list[int]) -> None:
    push.push_deliver(notification_ids=notification_ids)
