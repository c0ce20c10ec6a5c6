"""Posting: the checks a post goes through, publishing it (with an idempotency key), deleting it."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.core.parse import id_or_none
from storefeed.core.text import (
    clean_plain,
    normalize_tag,
    parse,
    render,
    text_length,
)
from storefeed.notifications import services as notifications
from storefeed.notifications.models import NotificationType
from storefeed.posts import search, signals
from storefeed.posts.models import (
    MediaAttachment,
    Mention,
    Poll,
    Status,
    StatusIdempotency,
    StatusTag,
    Tag,
    Visibility,
)
from storefeed.posts.selectors import status_for_viewer

POLL_MAX_OPTIONS = 4
POLL_OPTION_MAX_CHARS = 50
POLL_MIN_SECONDS = 5 * 60
POLL_MAX_SECONDS = 2_629_746  # about a month, as Mastodon


@dataclass
class PollSpec:
    options: Sequence[str]
    expires_in: int = 24 * 3600
    multiple: bool = False
    hide_totals: bool = False


# The public URL scheme (shared with the Mastodon API): profiles at /@name, tags at /tags/name.
def _profile_url(username: str) -> str:
    return f"/@{username}"


def _tag_url(name: str) -> str:
    return f"/tags/{quote(name)}"


def render_text(text: str, mentioned: dict[str, User]) -> str:
    """Cleaned HTML for `text`, linking the accounts in `mentioned` (keyed by lower username)."""

    def mention_url(name: str) -> str | None:
        account = mentioned.get(name.lower())
        return _profile_url(account.username) if account is not None else None

    return render(text, mention_url=mention_url, tag_url=_tag_url)


def _check_text(text: str, *, has_attachments: bool) -> str:
    text = clean_plain(text or "", multiline=True)
    length = text_length(text)
    limit = settings.STATUS_MAX_CHARACTERS
    if length > limit:
        raise ValidationFailed(
            _("Posts can be at most %(limit)s characters; this one has %(length)s.")
            % {"limit": f"{limit:,}", "length": f"{length:,}"},
            field="text",
        )
    if not text and not has_attachments:
        raise ValidationFailed(_("Write something or add an image."), field="text")
    return text


def _resolve_mentions(names: Sequence[str]) -> dict[str, User]:
    if not names:
        return {}
    wanted = {n.lower() for n in names}
    found: dict[str, User] = {
        u.username.lower(): u
        for u in User.objects.annotate(lname=Lower("username")).filter(
            lname__in=wanted, is_active=True
        )
    }
    unknown = [n for n in names if n.lower() not in found]
    if unknown:
        raise ValidationFailed(
            ngettext(
                "There is no account called %(names)s.",
                "There are no accounts called %(names)s.",
                len(unknown),
            )
            % {"names": ", ".join(f"@{n}" for n in unknown)},
            field="text",
        )
    return found


def _tags_for(names: Sequence[str]) -> list[Tag]:
    if not names:
        return []
    keys = {normalize_tag(n): n for n in names}
    Tag.objects.bulk_create(
        [Tag(name=name, key=key) for key, name in keys.items()], ignore_conflicts=True
    )
    return list(Tag.objects.filter(key__in=list(keys)))


def _check_poll(poll: PollSpec | None) -> PollSpec | None:
    if poll is None:
        return None
    options = [clean_plain(o or "") for o in poll.options]
    if len(options) < 2 or len(options) > POLL_MAX_OPTIONS:
        raise ValidationFailed(
            _("A poll needs between 2 and %(max)s options.") % {"max": POLL_MAX_OPTIONS},
            field="poll",
        )
    if any(not o for o in options):
        raise ValidationFailed(_("Poll options cannot be empty."), field="poll")
    if any(len(o) > POLL_OPTION_MAX_CHARS for o in options):
        raise ValidationFailed(
            _("Poll options can be at most %(max)s characters.") % {"max": POLL_OPTION_MAX_CHARS},
            field="poll",
        )
    if len(set(options)) != len(options):
        raise ValidationFailed(_("Poll options must differ from each other."), field="poll")
    if not POLL_MIN_SECONDS <= int(poll.expires_in) <= POLL_MAX_SECONDS:
        raise ValidationFailed(_("A poll runs between 5 minutes and 30 days."), field="poll")
    return PollSpec(options, int(poll.expires_in), bool(poll.multiple), bool(poll.hide_totals))


def _original(status: Status) -> Status:
    return status.reblog_of if status.reblog_of is not None else status


IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)


def status_create(*, account: User, idempotency_key: str | None = None, **fields: Any) -> Status:
    """Publish a post (a reply when `in_reply_to_id`, a repost with comment when
    `quote_of_id`); see `_status_create` for the fields. With an `idempotency_key`, a retry of
    the same request (within a day) returns the post the first one made."""
    key = (idempotency_key or "").strip()[:200]
    if key:
        earlier = _idempotent_status(account, key)
        if earlier is not None:
            return earlier
        try:
            with transaction.atomic(durable=True):
                status = _status_create(account=account, **fields)
                StatusIdempotency.objects.create(account=account, key=key, status=status)
                return status
        except IntegrityError:
            earlier = _idempotent_status(account, key)
            if earlier is None:
                raise
            return earlier
    with transaction.atomic(durable=True):
        return _status_create(account=account, **fields)


def _idempotent_status(account: User, key: str) -> Status | None:
    row = (
        StatusIdempotency.objects.filter(
            account=account, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW
        )
        .select_related("status")
        .first()
    )
    return row.status if row is not None else None


def _status_create(
    *,
    account: User,
    text: str,
    media_ids: Sequence[int | str] = (),
    visibility: str = Visibility.PUBLIC,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to_id: int | str | None = None,
    quote_of_id: int | str | None = None,
    poll: PollSpec | None = None,
) -> Status:
    """Checks everything before writing anything; runs inside the caller's transaction."""
    if visibility not in Visibility.values:
        raise ValidationFailed(_("Choose who can see this post."), field="visibility")
    wanted_media = _media_pks(media_ids)
    if len(wanted_media) > settings.STATUS_MAX_MEDIA:
        raise ValidationFailed(
            _("A post can carry at most %(max)s images; this one has %(count)s.")
            % {"max": settings.STATUS_MAX_MEDIA, "count": len(wanted_media)},
            field="media_ids",
        )
    if len(set(wanted_media)) != len(wanted_media):
        raise ValidationFailed(_("The same image was added twice."), field="media_ids")
    poll = _check_poll(poll)
    if poll is not None and wanted_media:
        raise ValidationFailed(_("A post can have images or a poll, not both."), field="poll")
    spoiler_text = clean_plain(spoiler_text or "")
    if len(spoiler_text) > 200:
        raise ValidationFailed(
            _("Content warnings can be at most 200 characters."), field="spoiler_text"
        )
    language = clean_plain(language or "")[:10]

    parent = None
    if in_reply_to_id not in (None, ""):
        try:
            parent = _original(status_for_viewer(viewer=account, status_id=in_reply_to_id))
        except NotFound:
            raise NotFound(
                _("The post you are replying to has been deleted or is not visible to you."),
                field="in_reply_to_id",
            ) from None
    quoted = None
    if quote_of_id not in (None, ""):
        try:
            quoted = _original(status_for_viewer(viewer=account, status_id=quote_of_id))
        except NotFound:
            raise NotFound(
                _("The post you are reposting has been deleted or is not visible to you."),
                field="quote_of_id",
            ) from None
        if quoted.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
            raise Forbidden(_("Only public posts can be reposted."), field="quote_of_id")

    media = list(
        MediaAttachment.objects.select_for_update().filter(
            pk__in=wanted_media, account=account, status__isnull=True
        )
    )
    if len(media) != len(wanted_media):
        raise ValidationFailed(
            _("An image is missing or already used in another post; upload it again."),
            field="media_ids",
        )
    text = _check_text(text, has_attachments=bool(media) or quoted is not None)
    parsed = parse(text)
    mentioned = _resolve_mentions(parsed.mentions)

    status = Status.objects.create(
        account=account,
        text=text,
        content=render_text(text, mentioned),
        spoiler_text=spoiler_text,
        sensitive=bool(sensitive) or bool(spoiler_text),
        visibility=visibility,
        language=language,
        in_reply_to=parent,
        in_reply_to_account_id=parent.account_id if parent else None,
        quote_of=quoted,
    )
    by_id = {m.pk: m for m in media}
    for position, media_id in enumerate(wanted_media):
        item = by_id[media_id]
        item.status = status
        item.position = position
        item.save(update_fields=["status", "position"])
    Mention.objects.bulk_create([Mention(status=status, account=u) for u in mentioned.values()])
    StatusTag.objects.bulk_create(
        [StatusTag(status=status, tag=tag) for tag in _tags_for(parsed.tags)]
    )
    if poll is not None:
        Poll.objects.create(
            status=status,
            options=list(poll.options),
            multiple=poll.multiple,
            hide_totals=poll.hide_totals,
            expires_at=timezone.now() + dt.timedelta(seconds=poll.expires_in),
        )
    User.objects.filter(pk=account.pk).update(
        statuses_count=F("statuses_count") + 1, last_status_at=status.created_at
    )
    if parent is not None:
        Status.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
        if parent.account_id not in {u.pk for u in mentioned.values()}:
            notifications.notify(
                recipient_id=parent.account_id,
                actor_id=account.pk,
                type=NotificationType.REPLY,
                status_id=status.pk,
            )
    if quoted is not None:
        Status.objects.filter(pk=quoted.pk).update(reblogs_count=F("reblogs_count") + 1)
        notifications.notify(
            recipient_id=quoted.account_id,
            actor_id=account.pk,
            type=NotificationType.REBLOG,
            status_id=status.pk,
        )
    for user in mentioned.values():
        notifications.notify(
            recipient_id=user.pk,
            actor_id=account.pk,
            type=NotificationType.MENTION,
            status_id=status.pk,
        )
    if status.reblog_of_id is None:
        search.status_index([status.pk])
    signals.status_created.send(sender=Status, status_id=status.pk)
    events.publish("status.created", id=status.pk)
    return status


def _own_status(account: User, status_id: int | str) -> Status:
    status = status_for_viewer(viewer=account, status_id=status_id)
    if status.account_id != account.pk:
        raise Forbidden(_("You can only change your own posts."))
    return status


def _decrement(model: Any, pk: int, field: str) -> None:
    model.objects.filter(pk=pk).update(**{field: Greatest(F(field) - 1, 0)})


@transaction.atomic(durable=True)
def status_delete(*, account: User, status_id: int | str) -> Status:
    """Delete one's own post. Its plain reposts go with it; replies stay, detached."""
    status = _own_status(account, status_id)
    # Keep what the API returns (the deleted status with its source) before the rows go.
    status.media_list = list(status.media.all())  # type: ignore[attr-defined]
    reblog_rows = list(Status.objects.filter(reblog_of=status).values_list("pk", "account_id"))
    removed_ids = [status.pk, *(pk for pk, _a in reblog_rows)]
    per_account: dict[int, int] = {}
    for _pk, owner in reblog_rows:
        per_account[owner] = per_account.get(owner, 0) + 1
    per_account[account.pk] = per_account.get(account.pk, 0) + 1
    for owner, count in per_account.items():
        User.objects.filter(pk=owner).update(
            statuses_count=Greatest(F("statuses_count") - count, 0)
        )
    if status.in_reply_to_id:
        _decrement(Status, status.in_reply_to_id, "replies_count")
    if status.reblog_of_id:
        _decrement(Status, status.reblog_of_id, "reblogs_count")
    if status.quote_of_id:
        _decrement(Status, status.quote_of_id, "reblogs_count")
    signals.status_deleted.send(
        sender=Status, status_id=status.pk, account_id=account.pk, status_ids=removed_ids
    )
    events.publish("status.deleted", ids=removed_ids)
    deleted_pk = status.pk
    Status.objects.filter(pk__in=removed_ids).delete()
    status.pk = deleted_pk
    return status


def _media_pks(media_ids: Sequence[object]) -> list[int]:
    """The ids of `media_ids`, each an id (core.parse), or ValidationFailed."""
    pks = [id_or_none(m) for m in media_ids]
    if None in pks:
        raise ValidationFailed(_("Unknown image."), field="media_ids")
    return [pk for pk in pks if pk is not None]
