"""Reads of the instance app: rules, the about text, announcements for a reader, and the
weekly activity (computed from indexed ranges, cached for a while)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.core.ids import id_for_datetime
from storefeed.instance.models import (
    About,
    Announcement,
    AnnouncementReaction,
    AnnouncementRead,
    Rule,
    WeeklyLogin,
)
from storefeed.instance.services import week_of
from storefeed.posts.models import Status

ACTIVITY_WEEKS = 12
ACTIVITY_CACHE_SECONDS = 600


RULES_KEY = "instance:rules:1"
# Without Redis the cache is each process's own memory, where forgetting the rules on a change
# (signals.py) reaches only the process that made it: the others keep them this long at most.
RULES_LOCAL_SECONDS = 10


def rules() -> list[dict[str, Any]]:
    """The rules in order, as plain values: every instance entity carries them, so they are
    kept in the cache until staff change one (signals.py forgets them; without a shared
    cache, other processes see the change within RULES_LOCAL_SECONDS)."""
    cached = cache.get(RULES_KEY)
    if cached is None:
        cached = list(Rule.objects.values("id", "text", "hint", "text_zh", "hint_zh"))
        shared = "locmem" not in settings.CACHES["default"]["BACKEND"]
        cache.set(RULES_KEY, cached, None if shared else RULES_LOCAL_SECONDS)
    return list(cached)


def about() -> About:
    """The about row (unsaved and empty before staff write one: `updated_at` is None)."""
    return About.objects.filter(pk=1).first() or About(pk=1)


def announcements_live(now: dt.datetime | None = None) -> QuerySet[Announcement]:
    """Published announcements that have not ended, newest first."""
    now = now or timezone.now()
    return Announcement.objects.filter(published=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


@dataclass
class Reaction:
    name: str
    count: int
    me: bool


def announcement_marks(
    *, account_id: int, ids: list[int]
) -> tuple[set[int], dict[int, list[Reaction]]]:
    """Which of `ids` the account has read, and each one's reactions (two queries)."""
    read = set(
        AnnouncementRead.objects.filter(account_id=account_id, announcement_id__in=ids).values_list(
            "announcement_id", flat=True
        )
    )
    reactions: dict[int, list[Reaction]] = {}
    rows = (
        AnnouncementReaction.objects.filter(announcement_id__in=ids)
        .values("announcement_id", "name")
        .annotate(count=Count("id"), me=Count("id", filter=Q(account_id=account_id)))
        .order_by("announcement_id", "name")
    )
    for row in rows:
        reactions.setdefault(row["announcement_id"], []).append(
            Reaction(name=row["name"], count=row["count"], me=row["me"] > 0)
        )
    return read, reactions


def activity() -> list[dict[str, Any]]:
    """Mastodon's instance activity: for each of the last 12 weeks (this one first), posts
    written, accounts that signed in, and sign-ups. Three range counts over indexed columns
    (posts by their time-sortable ids), kept in the cache for ten minutes."""
    key = f"instance:activity:{week_of(timezone.now().date()).isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    this_week = week_of(timezone.now().date())
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(ACTIVITY_WEEKS)]
    starts = [dt.datetime.combine(w, dt.time(), tzinfo=dt.UTC) for w in weeks]
    ends = [s + dt.timedelta(weeks=1) for s in starts]
    statuses = Status.objects.filter(id__gte=id_for_datetime(starts[-1])).aggregate(
        **{
            f"w{n}": Count("id", filter=Q(id__gte=id_for_datetime(s), id__lt=id_for_datetime(e)))
            for n, (s, e) in enumerate(zip(starts, ends, strict=True))
        }
    )
    joined = User.objects.filter(date_joined__gte=starts[-1]).aggregate(
        **{
            f"w{n}": Count("id", filter=Q(date_joined__gte=s, date_joined__lt=e))
            for n, (s, e) in enumerate(zip(starts, ends, strict=True))
        }
    )
    logins = dict(
        WeeklyLogin.objects.filter(week__gte=weeks[-1])
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    # Mastodon gives each figure as a string, and the week as Unix seconds.
    result = [
        {
            "week": str(int(starts[n].timestamp())),
            "statuses": str(statuses[f"w{n}"]),
            "logins": str(logins.get(week, 0)),
            "registrations": str(joined[f"w{n}"]),
        }
        for n, week in enumerate(weeks)
    ]
    cache.set(key, result, ACTIVITY_CACHE_SECONDS)
    return result
