"""Editing a post as Mastodon 4 does: text, images, poll; reposters are told."""

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import ValidationFailed
from storefeed.core.ids import new_version
from storefeed.core.parse import lookup_id
from storefeed.core.text import (
    clean_plain,
    parse,
)
from storefeed.notifications import services as notifications
from storefeed.notifications.models import NotificationType
from storefeed.posts import search
from storefeed.posts.models import (
    MediaAttachment,
    Mention,
    Poll,
    PollVote,
    Status,
    StatusEdit,
    StatusTag,
)
from storefeed.posts.selectors import status_for_editor, status_snapshot
from storefeed.posts.services.compose import (
    PollSpec,
    _check_poll,
    _check_text,
    _media_pks,
    _resolve_mentions,
    _tags_for,
    render_text,
)

# Editing -----------------------------------------------------------------------------------


class Unchanged(enum.Enum):
    """For `status_update`: leave this part of the post as it is."""

    KEEP = "keep"


KEEP = Unchanged.KEEP


@dataclass
class MediaChange:
    """New description and focus of an image on the edited post (Mastodon's
    media_attributes[]); None leaves that one as it is."""

    id: int | str
    description: str | None = None
    focus: tuple[float, float] | None = None


def _edit_media(
    account: User, status: Status, media_ids: Sequence[int | str], poll: PollSpec | None
) -> list[MediaAttachment]:
    """The images the edited post will carry, in order, locked: one's own, either unattached
    or already on this post."""
    wanted = _media_pks(media_ids)
    if len(wanted) > settings.STATUS_MAX_MEDIA:
        raise ValidationFailed(
            _("A post can carry at most %(max)s images; this one has %(count)s.")
            % {"max": settings.STATUS_MAX_MEDIA, "count": len(wanted)},
            field="media_ids",
        )
    if len(set(wanted)) != len(wanted):
        raise ValidationFailed(_("The same image was added twice."), field="media_ids")
    if poll is not None and wanted:
        raise ValidationFailed(_("A post can have images or a poll, not both."), field="poll")
    found = {
        m.pk: m
        for m in MediaAttachment.objects.select_for_update().filter(
            Q(status__isnull=True) | Q(status=status), pk__in=wanted, account=account
        )
    }
    if len(found) != len(wanted):
        raise ValidationFailed(
            _("An image is missing or already used in another post; upload it again."),
            field="media_ids",
        )
    return [found[pk] for pk in wanted]


def _media_changes(
    media: Sequence[MediaAttachment], changes: Sequence[MediaChange]
) -> dict[int, tuple[str, float, float]]:
    """Description and focus per image after `changes` (checked; nothing written)."""
    result = {m.pk: (m.description, m.focus_x, m.focus_y) for m in media}
    for change in changes:
        try:
            pk = lookup_id(change.id) or -1
        except (TypeError, ValueError):
            pk = -1
        if pk not in result:
            raise ValidationFailed(
                _("Image %(id)s is not on this post.") % {"id": change.id},
                field="media_attributes",
            )
        description, x, y = result[pk]
        if change.description is not None:
            description = clean_plain(change.description, multiline=True)
            if len(description) > 1500:
                raise ValidationFailed(
                    _("Image descriptions can be at most 1,500 characters."),
                    field="media_attributes",
                )
        if change.focus is not None:
            x = max(-1.0, min(1.0, float(change.focus[0])))
            y = max(-1.0, min(1.0, float(change.focus[1])))
        result[pk] = (description, x, y)
    return result


def status_update(
    *,
    account: User,
    status_id: int | str,
    text: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str | None = None,
    media_ids: Sequence[int | str] | Unchanged = KEEP,
    media_changes: Sequence[MediaChange] = (),
    poll: PollSpec | Unchanged | None = KEEP,
) -> Status:
    """Edit one's own post, as Mastodon 4 does: the text, content warning, sensitivity and
    language, and (unless KEEP) the images and the poll. Changing the poll's options (or
    whether it allows several choices) clears its votes. The content is rendered again
    (mentions, tags, links), and the first edit also records the post as first published.
    An edit that changes nothing records nothing. Those who reposted the post are told
    (an "update" notification, by a task). Everything is checked before anything is written."""
    with transaction.atomic(durable=True):
        status = status_for_editor(account=account, status_id=status_id)
        status = Status.objects.select_for_update().get(pk=status.pk)
        old_media = list(status.media.order_by("position", "id"))
        old_poll = Poll.objects.filter(status=status).first()

        new_poll = _check_poll(poll) if not isinstance(poll, Unchanged) else KEEP
        if isinstance(media_ids, Unchanged):
            media = old_media
            if not isinstance(new_poll, Unchanged) and new_poll is not None and media:
                raise ValidationFailed(
                    _("A post can have images or a poll, not both."), field="poll"
                )
        else:
            media = _edit_media(
                account, status, media_ids, None if isinstance(new_poll, Unchanged) else new_poll
            )
        if isinstance(new_poll, Unchanged) and old_poll is not None and media:
            raise ValidationFailed(_("A post can have images or a poll, not both."), field="poll")
        described = _media_changes(media, media_changes)
        spoiler_text = clean_plain(spoiler_text or "")
        if len(spoiler_text) > 200:
            raise ValidationFailed(
                _("Content warnings can be at most 200 characters."), field="spoiler_text"
            )
        text = _check_text(text, has_attachments=bool(media) or status.quote_of_id is not None)
        parsed = parse(text)
        mentioned = _resolve_mentions(parsed.mentions)
        language = clean_plain(language)[:10] if language else status.language
        sensitive = bool(sensitive) or bool(spoiler_text)

        media_changed = [m.pk for m in old_media] != [m.pk for m in media] or any(
            (m.description, m.focus_x, m.focus_y) != described[m.pk] for m in media
        )
        # A poll sent again always counts: its end moves to expires_in from now (as Mastodon).
        poll_changed = not isinstance(new_poll, Unchanged) and (
            new_poll is not None or old_poll is not None
        )
        if not (
            media_changed
            or poll_changed
            or text != status.text
            or spoiler_text != status.spoiler_text
            or sensitive != status.sensitive
            or language != status.language
        ):
            return status

        # Checked; now write. The version as first published, before the first edit.
        if not StatusEdit.objects.filter(status=status).exists():
            first = status_snapshot(status=status, media=old_media, poll=old_poll)
            first.created_at = status.created_at
            first.save()

        for item in old_media:
            if item.pk not in described:
                item.status = None
                item.position = 0
                item.save(update_fields=["status", "position"])
        for position, item in enumerate(media):
            item.status = status
            item.position = position
            item.description, item.focus_x, item.focus_y = described[item.pk]
            item.save(update_fields=["status", "position", "description", "focus_x", "focus_y"])

        current_poll = old_poll
        if not isinstance(new_poll, Unchanged):
            current_poll = _edit_poll(status, old_poll, new_poll)

        now = timezone.now()
        status.text = text
        status.content = render_text(text, mentioned)
        status.spoiler_text = spoiler_text
        status.sensitive = sensitive
        status.language = language
        status.edited_at = now
        status.version = new_version()
        status.save(
            update_fields=[
                *("text", "content", "spoiler_text", "sensitive", "language", "edited_at"),
                "version",
            ]
        )
        _replace_mentions(status, account, mentioned)
        _replace_tags(status, parsed.tags)
        latest = status_snapshot(status=status, media=media, poll=current_poll)
        latest.created_at = now
        latest.save()
        search.status_index([status.pk])

        from storefeed.posts import tasks  # tasks imports this module

        # Written with the edit (the database queue): nothing is lost if the process dies.
        tasks.notify_status_update.enqueue(status.pk)
        events.publish("status.updated", id=status.pk)
        return status


def _edit_poll(status: Status, old: Poll | None, spec: PollSpec | None) -> Poll | None:
    if spec is None:
        if old is not None:
            old.delete()
        return None
    expires_at = timezone.now() + dt.timedelta(seconds=spec.expires_in)
    if old is None:
        return Poll.objects.create(
            status=status,
            options=list(spec.options),
            multiple=spec.multiple,
            hide_totals=spec.hide_totals,
            expires_at=expires_at,
        )
    if list(spec.options) != list(old.options) or spec.multiple != old.multiple:
        # Other options (or choices) make the votes meaningless: they go, as in Mastodon.
        PollVote.objects.filter(poll=old).delete()
        old.votes_count = 0
        old.voters_count = 0
    old.options = list(spec.options)
    old.multiple = spec.multiple
    old.hide_totals = spec.hide_totals
    old.expires_at = expires_at
    old.save()
    return old


def _replace_mentions(status: Status, account: User, mentioned: Mapping[str, User]) -> None:
    """Mentions as the new text has them; those newly mentioned are told."""
    before = set(Mention.objects.filter(status=status).values_list("account_id", flat=True))
    after = {u.pk for u in mentioned.values()}
    Mention.objects.filter(status=status, account_id__in=before - after).delete()
    Mention.objects.bulk_create(
        [Mention(status=status, account_id=pk) for pk in sorted(after - before)]
    )
    for pk in sorted(after - before):
        notifications.notify(
            recipient_id=pk, actor_id=account.pk, type=NotificationType.MENTION, status_id=status.pk
        )


def _replace_tags(status: Status, names: Sequence[str]) -> None:
    tags = _tags_for(names)
    StatusTag.objects.filter(status=status).exclude(tag__in=tags).delete()
    StatusTag.objects.bulk_create(
        [StatusTag(status=status, tag=tag) for tag in tags], ignore_conflicts=True
    )


def status_update_notify(*, status_id: int) -> int:
    """Tell those who reposted an edited post that it changed (Mastodon's "update"
    notification). Idempotent: a second run for the same edit changes nothing."""
    status = Status.objects.filter(pk=status_id, reblog_of__isnull=True).first()
    if status is None or status.edited_at is None:
        return 0
    with transaction.atomic():  # not durable: the immediate task backend runs it inside the edit
        return notifications.notify_since(
            recipient_ids=Status.objects.filter(reblog_of=status).values_list(
                "account_id", flat=True
            ),
            actor_id=status.account_id,
            type=NotificationType.UPDATE,
            status_id=status.pk,
            since=status.edited_at,
        )
