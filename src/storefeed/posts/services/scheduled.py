"""Scheduled posts: checked up front, published when due (a deferred task or the sweep)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import DomainError, NotFound, ValidationFailed
from storefeed.core.parse import lookup_id
from storefeed.posts.models import (
    ScheduledStatus,
    Status,
)
from storefeed.posts.services.compose import PollSpec, _media_pks, _status_create

# Scheduled posts --------------------------------------------------------------------------

SCHEDULE_MIN_AHEAD = dt.timedelta(minutes=5)


class _DryRun(Exception):
    """Raised to roll back a post made only to check it."""


def _check_schedule_time(when: dt.datetime) -> dt.datetime:
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    if when < timezone.now() + SCHEDULE_MIN_AHEAD:
        raise ValidationFailed(
            _("A scheduled post must be at least 5 minutes in the future."), field="scheduled_at"
        )
    return when


@transaction.atomic(durable=True)
def status_schedule(
    *, account: User, scheduled_at: dt.datetime, poll: PollSpec | None = None, **fields: Any
) -> ScheduledStatus:
    """Keep a post to publish at `scheduled_at`; the same checks as posting now, up front."""
    when = _check_schedule_time(scheduled_at)
    media_ids = _media_pks(fields.pop("media_ids", ()) or ())
    # Run every check of a real post, then throw the post away (the inner block rolls back).
    try:
        with transaction.atomic():
            _status_create(account=account, media_ids=media_ids, poll=poll, **fields)
            raise _DryRun
    except _DryRun:
        pass
    params = {k: v for k, v in fields.items() if v not in (None, "")}
    if poll is not None:
        params["poll"] = {
            "options": list(poll.options),
            "expires_in": poll.expires_in,
            "multiple": poll.multiple,
            "hide_totals": poll.hide_totals,
        }
    scheduled = ScheduledStatus.objects.create(
        account=account, scheduled_at=when, params=params, media_ids=media_ids
    )
    _enqueue_publish(scheduled)
    return scheduled


def _enqueue_publish(scheduled: ScheduledStatus) -> None:
    """A deferred task, written in this transaction; `scheduled_statuses_publish_due` is the
    sweep for task backends that cannot defer (and for anything missed)."""
    from storefeed.posts import tasks  # tasks imports this module

    if tasks.publish_scheduled.get_backend().supports_defer:
        tasks.publish_scheduled.using(run_after=scheduled.scheduled_at).enqueue(scheduled.pk)


def _own_scheduled(account: User, scheduled_id: int | str) -> ScheduledStatus:
    try:
        return ScheduledStatus.objects.select_for_update().get(
            pk=lookup_id(scheduled_id), account=account
        )
    except (ScheduledStatus.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This scheduled post does not exist.")) from None


@transaction.atomic(durable=True)
def scheduled_status_update(
    *, account: User, scheduled_id: int | str, scheduled_at: dt.datetime
) -> ScheduledStatus:
    scheduled = _own_scheduled(account, scheduled_id)
    scheduled.scheduled_at = _check_schedule_time(scheduled_at)
    scheduled.save(update_fields=["scheduled_at"])
    _enqueue_publish(scheduled)
    return scheduled


@transaction.atomic(durable=True)
def scheduled_status_cancel(*, account: User, scheduled_id: int | str) -> None:
    _own_scheduled(account, scheduled_id).delete()


def scheduled_status_publish(*, scheduled_id: int) -> Status | None:
    """Publish one scheduled post if it is due. Idempotent: a published one is gone, and one
    moved later is left for its new time."""
    with transaction.atomic(durable=True):
        scheduled = (
            ScheduledStatus.objects.select_for_update()
            .select_related("account")
            .filter(pk=scheduled_id, scheduled_at__lte=timezone.now())
            .first()
        )
        if scheduled is None:
            return None
        params = dict(scheduled.params)
        poll = PollSpec(**params.pop("poll")) if params.get("poll") else None
        try:
            status = _status_create(
                account=scheduled.account, media_ids=scheduled.media_ids, poll=poll, **params
            )
        except DomainError:
            # What was valid when scheduled may not be now (a deleted parent): drop it.
            status = None
        scheduled.delete()
        return status


def scheduled_statuses_publish_due() -> int:
    """The sweep: publish every post whose time has come (the worker runs it periodically,
    so nothing is missed if a deferred task was lost)."""
    due = ScheduledStatus.objects.filter(scheduled_at__lte=timezone.now()).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if scheduled_status_publish(scheduled_id=pk) is not None)
