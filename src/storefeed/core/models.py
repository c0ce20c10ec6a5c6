"""The tables of core: counters shared by every process when Redis is not configured
(core.limits), and the event relay the streaming process reads when there is no Redis."""

from django.db import models


class LimitCounter(models.Model):
    """A counter of `core.limits`: an API rate-limit window (`name` carries the window) or a
    sign-in backoff counter (`locked_until` set once it is past its free attempts). Rows past
    `expires_at` mean nothing and are purged by `storefeed.core.tasks.purge_limit_counters`."""

    name = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}={self.count}"


class Event(models.Model):
    """An event for live clients (core/events.py), kept a short while for the streaming
    process to read (the embedded default, without Redis). `body` is the event as JSON."""

    id = models.BigAutoField(primary_key=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
