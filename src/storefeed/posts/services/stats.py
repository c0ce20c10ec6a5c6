"""The site's figures (accounts, active accounts, posts), computed in the worker."""

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.posts.models import (
    SiteStats,
    Status,
)


def site_stats_refresh() -> SiteStats:
    """Count active accounts (and those signed in within 30 and 180 days) and posts, and keep
    the figures in the one SiteStats row. The counts scan big tables, so this runs in the
    worker (`tasks.refresh_site_stats`, on the beat: settings.SITE_STATS_SECONDS) and on a
    request only when the row does not exist yet (`selectors.site_stats`). Running it again
    only refreshes the figures."""
    now = timezone.now()
    month, halfyear = now - dt.timedelta(days=30), now - dt.timedelta(days=180)
    users = User.objects.filter(is_active=True).aggregate(
        users=Count("pk"),
        active_month=Count("pk", filter=Q(last_login__gte=month)),
        active_halfyear=Count("pk", filter=Q(last_login__gte=halfyear)),
    )
    statuses = Status.objects.count()
    with transaction.atomic(durable=True):
        stats, _created = SiteStats.objects.update_or_create(
            pk=1, defaults={**users, "statuses": statuses, "computed_at": now}
        )
    return stats
