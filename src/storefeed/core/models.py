"""The one table of core: the event relay the streaming process reads when there is no Redis."""

from django.db import models


class Event(models.Model):
    """An event for live clients (core/events.py), kept a short while for the streaming
    process to read (the embedded default, without Redis). `body` is the event as JSON."""

    id = models.BigAutoField(primary_key=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
