"""The one table core keeps: counters shared by every process when Redis is not configured."""

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
