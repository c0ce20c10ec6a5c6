"""Writes of the instance app: announcements (published, read, reacted to) and sign-ins."""

import datetime as dt
import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.core import events
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.text import render
from storefeed.instance.models import (
    Announcement,
    AnnouncementReaction,
    AnnouncementRead,
    WeeklyLogin,
)


def week_of(day: dt.date) -> dt.date:
    """The Monday starting `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def login_record(*, account_id: int) -> None:
    """Count `account_id` as signed in this week (once however often it signs in)."""
    week = week_of(timezone.now().date())
    WeeklyLogin.objects.bulk_create(
        [WeeklyLogin(week=week, account_id=account_id)], ignore_conflicts=True
    )


def announcement_save(*, announcement: Announcement) -> Announcement:
    """Save a staff announcement (the admin's form): its HTML is rendered, its first
    publication dated, and open streaming connections told (`announcement`, or
    `announcement.delete` when it is withdrawn)."""
    announcement.content = render(announcement.text)
    if announcement.published and announcement.published_at is None:
        announcement.published_at = timezone.now()
    with transaction.atomic(durable=True):
        announcement.save()
        if announcement.published:
            events.publish("announcement", id=announcement.pk)
        else:
            events.publish("announcement.delete", id=announcement.pk)
    return announcement


def announcement_delete(*, announcement_id: int) -> None:
    with transaction.atomic(durable=True):
        Announcement.objects.filter(pk=announcement_id).delete()
        events.publish("announcement.delete", id=announcement_id)


def _shown(announcement_id: int) -> Announcement:
    found = Announcement.objects.filter(pk=announcement_id, published=True).first()
    if found is None:
        raise NotFound(_("This announcement does not exist."))
    return found


def announcement_dismiss(*, account_id: int, announcement_id: int) -> None:
    """Mark an announcement read; again changes nothing."""
    with transaction.atomic(durable=True):
        _shown(announcement_id)
        AnnouncementRead.objects.get_or_create(
            announcement_id=announcement_id, account_id=account_id
        )


# Emoji are symbols (So), with joiners, variation selectors, skin tones and keycaps.
_EMOJI_JOINERS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}


def is_emoji(name: str) -> bool:
    if not name or len(name) > 16:
        return False
    has_symbol = False
    for char in name:
        category = unicodedata.category(char)
        if category == "So" or "\U0001f1e6" <= char <= "\U0001f1ff":
            has_symbol = True
        elif char in _EMOJI_JOINERS or "\U0001f3fb" <= char <= "\U0001f3ff":
            continue
        elif char.isdigit() or char in "#*":
            continue  # keycaps (1️⃣, #️⃣)
        else:
            return False
    return has_symbol


def announcement_react(*, account_id: int, announcement_id: int, name: str, add: bool) -> None:
    """Add (or take back) one's reaction `name` (an emoji: Storefeed has no custom ones)."""
    if add and not is_emoji(name):
        raise ValidationFailed(_("Name is not a recognized emoji"), field="name")
    with transaction.atomic(durable=True):
        _shown(announcement_id)
        if add:
            try:
                with transaction.atomic():
                    AnnouncementReaction.objects.create(
                        announcement_id=announcement_id, account_id=account_id, name=name
                    )
            except IntegrityError:
                return  # already there
        else:
            deleted, _rows = AnnouncementReaction.objects.filter(
                announcement_id=announcement_id, account_id=account_id, name=name
            ).delete()
            if not deleted:
                return
        events.publish("announcement.reaction", id=announcement_id, name=name)
