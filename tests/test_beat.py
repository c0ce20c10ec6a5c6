"""`storefeed beat --once` enqueues every periodic task; each one runs (tasks inline here)."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from storefeed.posts import services
from storefeed.posts.models import ScheduledStatus, Status


@pytest.mark.django_db
def test_beat_once_runs_every_sweep(alice):
    out = StringIO()
    when = timezone.now() + dt.timedelta(minutes=10)
    services.status_schedule(account=alice, scheduled_at=when, text="from the beat")
    with time_machine.travel(when + dt.timedelta(minutes=1)):
        call_command("beat", once=True, stdout=out)
    assert out.getvalue().count("enqueued") == len(settings.PERIODIC_TASKS)
    assert Status.objects.get().text == "from the beat"
    assert not ScheduledStatus.objects.exists()
