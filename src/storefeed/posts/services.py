"""Every write to statuses: compose, delete, repost, like, bookmark, pin, vote, upload."""

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from storefeed.core.ids import new_version
from storefeed.core.parse import id_or_none, lookup_id, parse_count
from storefeed.core.text import (
    clean_plain,
    is_valid_tag,
    normalize_tag,
    parse,
    render,
    text_length,
)
from storefeed.notifications import services as notifications
from storefeed.notifications.models import NotificationType
from storefeed.posts import search, signals
from storefeed.posts.media import process_image
from storefeed.posts.models import (
    Bookmark,
    Favourite,
    FeaturedTag,
    MediaAttachment,
    Mention,
    Pin,
    Poll,
    PollVote,
    ScheduledStatus,
    SiteStats,
    Status,
    StatusEdit,
    StatusIdempotency,
    StatusTag,
    Tag,
    TagFollow,
    Visibility,
)
from storefeed.posts.selectors import status_for_editor, status_for_viewer, status_snapshot

MAX_PINS = 5
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


def media_create(
    *, account: User, file: UploadedFile, description: str = "", focus: tuple[float, float] = (0, 0)
) -> MediaAttachment:
    """Check and store one image, not yet attached to a post."""
    description = clean_plain(description or "", multiline=True)
    if len(description) > 1500:
        raise ValidationFailed(
            _("Image descriptions can be at most 1,500 characters."), field="description"
        )
    processed = process_image(file)
    with transaction.atomic():
        media = MediaAttachment(
            account=account,
            description=description,
            content_type=processed.content_type,
            blurhash=processed.blurhash,
            focus_x=max(-1.0, min(1.0, float(focus[0]))),
            focus_y=max(-1.0, min(1.0, float(focus[1]))),
        )
        media.file.save(processed.original.name or "image.jpg", processed.original, save=False)
        media.thumbnail.save("small.jpg", processed.small, save=False)
        media.width, media.height = processed.width, processed.height
        media.save()
    return media


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


@transaction.atomic(durable=True)
def status_reblog(
    *, account: User, status_id: int | str, visibility: str = Visibility.PUBLIC
) -> Status:
    """Repost (plainly) a post the account can see; reposting a repost reposts the original."""
    original = _original(status_for_viewer(viewer=account, status_id=status_id))
    if original.visibility == Visibility.DIRECT or (
        original.visibility == Visibility.PRIVATE and original.account_id != account.pk
    ):
        raise Forbidden(_("This post is not public, so it cannot be reposted."))
    if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE):
        visibility = Visibility.PUBLIC
    try:
        with transaction.atomic():
            reblog = Status.objects.create(
                account=account, reblog_of=original, visibility=visibility
            )
    except IntegrityError:
        raise Conflict(_("You have already reposted this post.")) from None
    Status.objects.filter(pk=original.pk).update(reblogs_count=F("reblogs_count") + 1)
    User.objects.filter(pk=account.pk).update(
        statuses_count=F("statuses_count") + 1, last_status_at=reblog.created_at
    )
    notifications.notify(
        recipient_id=original.account_id,
        actor_id=account.pk,
        type=NotificationType.REBLOG,
        status_id=original.pk,
    )
    signals.status_created.send(sender=Status, status_id=reblog.pk)
    events.publish("status.created", id=reblog.pk)
    reblog.reblog_of = original
    return reblog


@transaction.atomic(durable=True)
def status_unreblog(*, account: User, status_id: int | str) -> Status:
    original = _original(status_for_viewer(viewer=account, status_id=status_id))
    rows = list(
        Status.objects.filter(account=account, reblog_of=original).values_list("pk", flat=True)
    )
    if not rows:
        raise Conflict(_("You have not reposted this post."))
    signals.status_deleted.send(
        sender=Status, status_id=rows[0], account_id=account.pk, status_ids=rows
    )
    events.publish("status.deleted", ids=rows)
    Status.objects.filter(pk__in=rows).delete()
    _decrement(Status, original.pk, "reblogs_count")
    User.objects.filter(pk=account.pk).update(statuses_count=Greatest(F("statuses_count") - 1, 0))
    original.refresh_from_db()
    return original


def _toggle_row(
    *,
    account: User,
    status_id: int | str,
    model: type[Favourite] | type[Bookmark],
    add: bool,
    counter: str | None,
    already: str,
    missing: str,
    notify_type: str | None = None,
) -> Status:
    original = _original(status_for_viewer(viewer=account, status_id=status_id))
    if add:
        try:
            with transaction.atomic():
                model.objects.create(account=account, status=original)
        except IntegrityError:
            raise Conflict(already) from None
        if counter:
            Status.objects.filter(pk=original.pk).update(**{counter: F(counter) + 1})
        if notify_type:
            notifications.notify(
                recipient_id=original.account_id,
                actor_id=account.pk,
                type=notify_type,
                status_id=original.pk,
            )
    else:
        deleted, _rows = model.objects.filter(account=account, status=original).delete()
        if not deleted:
            raise Conflict(missing)
        if counter:
            _decrement(Status, original.pk, counter)
    original.refresh_from_db()
    return original


@transaction.atomic(durable=True)
def status_favourite(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Favourite,
        add=True,
        counter="favourites_count",
        already=_("You already like this post."),
        missing="",
        notify_type=NotificationType.FAVOURITE,
    )


@transaction.atomic(durable=True)
def status_unfavourite(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Favourite,
        add=False,
        counter="favourites_count",
        already="",
        missing=_("You have not liked this post."),
    )


@transaction.atomic(durable=True)
def status_bookmark(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Bookmark,
        add=True,
        counter=None,
        already=_("This post is already in your bookmarks."),
        missing="",
    )


@transaction.atomic(durable=True)
def status_unbookmark(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Bookmark,
        add=False,
        counter=None,
        already="",
        missing=_("This post is not in your bookmarks."),
    )


@transaction.atomic(durable=True)
def status_pin(*, account: User, status_id: int | str) -> Status:
    """Pin one of one's own posts to the top of one's profile (at most five)."""
    status = _own_status(account, status_id)
    if status.reblog_of_id is not None:
        raise ValidationFailed(_("Reposts cannot be pinned; pin your own posts."))
    if status.visibility == Visibility.DIRECT:
        raise ValidationFailed(_("Direct posts cannot be pinned."))
    if Pin.objects.filter(account=account, status=status).exists():
        raise Conflict(_("This post is already pinned."))
    # Lock the account row so two pins at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=account.pk).first()
    if Pin.objects.filter(account=account).count() >= MAX_PINS:
        raise ValidationFailed(_("You can pin at most %(max)s posts.") % {"max": MAX_PINS})
    try:
        with transaction.atomic():
            Pin.objects.create(account=account, status=status)
    except IntegrityError:
        raise Conflict(_("This post is already pinned.")) from None
    return status


@transaction.atomic(durable=True)
def status_unpin(*, account: User, status_id: int | str) -> Status:
    status = _own_status(account, status_id)
    deleted, _rows = Pin.objects.filter(account=account, status=status).delete()
    if not deleted:
        raise Conflict(_("This post is not pinned."))
    return status


@transaction.atomic(durable=True)
def poll_vote(*, account: User, poll_id: int | str, choices: Sequence[int | str]) -> Poll:
    try:
        poll = Poll.objects.select_for_update().select_related("status").get(pk=lookup_id(poll_id))
    except (Poll.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This poll does not exist.")) from None
    status_for_viewer(viewer=account, status_id=poll.status_id)
    if poll.expires_at is not None and poll.expires_at <= timezone.now():
        raise ValidationFailed(_("This poll has ended."), field="choices")
    try:
        picked = sorted({parse_count(c, field="choices", maximum=1000) for c in choices})
    except ValidationFailed:
        raise ValidationFailed(_("Choose one of the poll's options."), field="choices") from None
    if not picked or any(c < 0 or c >= len(poll.options) for c in picked):
        raise ValidationFailed(_("Choose one of the poll's options."), field="choices")
    if len(picked) > 1 and not poll.multiple:
        raise ValidationFailed(_("This poll allows only one choice."), field="choices")
    if PollVote.objects.filter(poll=poll, account=account).exists():
        raise Conflict(_("You have already voted in this poll."), field="choices")
    PollVote.objects.bulk_create([PollVote(poll=poll, account=account, choice=c) for c in picked])
    Poll.objects.filter(pk=poll.pk).update(
        votes_count=F("votes_count") + len(picked), voters_count=F("voters_count") + 1
    )
    poll.refresh_from_db()
    return poll


def poll_results(poll: Poll) -> list[int]:
    """Votes per option, in option order."""
    counts = dict(PollVote.objects.filter(poll=poll).values_list("choice").annotate(n=Count("id")))
    return [counts.get(i, 0) for i in range(len(poll.options))]


# Media ------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def media_update(
    *,
    account: User,
    media_id: int | str,
    description: str | None = None,
    focus: tuple[float, float] | None = None,
) -> MediaAttachment:
    try:
        media = MediaAttachment.objects.select_for_update().get(
            pk=lookup_id(media_id), account=account
        )
    except (MediaAttachment.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This image does not exist.")) from None
    fields = []
    if description is not None:
        description = clean_plain(description, multiline=True)
        if len(description) > 1500:
            raise ValidationFailed(
                _("Image descriptions can be at most 1,500 characters."), field="description"
            )
        media.description = description
        fields.append("description")
    if focus is not None:
        media.focus_x = max(-1.0, min(1.0, float(focus[0])))
        media.focus_y = max(-1.0, min(1.0, float(focus[1])))
        fields += ["focus_x", "focus_y"]
    if fields:
        media.save(update_fields=fields)
        if media.status_id is not None:  # the post shows the new description at once
            Status.objects.filter(pk=media.status_id).update(version=new_version())
            if "description" in fields:  # and is found by it
                search.status_index([media.status_id])
    return media


# Scheduled posts --------------------------------------------------------------------------

SCHEDULE_MIN_AHEAD = dt.timedelta(minutes=5)


def _media_pks(media_ids: Sequence[object]) -> list[int]:
    """The ids of `media_ids`, each an id (core.parse), or ValidationFailed."""
    pks = [id_or_none(m) for m in media_ids]
    if None in pks:
        raise ValidationFailed(_("Unknown image."), field="media_ids")
    return [pk for pk in pks if pk is not None]


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


# Tags -------------------------------------------------------------------------------------


def _tag_named(name: str, *, create: bool) -> Tag:
    name = (name or "").lstrip("#")
    if not is_valid_tag(name):
        raise ValidationFailed(
            _("A tag is made of letters, digits and underscores, like #美妆 or #OOTD."),
            field="name",
        )
    if create:
        return _tags_for([name])[0]
    tag = Tag.objects.filter(key=normalize_tag(name)).first()
    if tag is None:
        raise NotFound(_("No posts carry this tag yet."))
    return tag


@transaction.atomic(durable=True)
def tag_follow(*, account: User, name: str) -> Tag:
    tag = _tag_named(name, create=True)
    TagFollow.objects.get_or_create(account=account, tag=tag)
    return tag


@transaction.atomic(durable=True)
def tag_unfollow(*, account: User, name: str) -> Tag:
    tag = _tag_named(name, create=True)
    TagFollow.objects.filter(account=account, tag=tag).delete()
    return tag


MAX_FEATURED_TAGS = 10


@transaction.atomic(durable=True)
def featured_tag_create(*, account: User, name: str) -> FeaturedTag:
    tag = _tag_named(name, create=True)
    User.objects.select_for_update().filter(pk=account.pk).first()
    if FeaturedTag.objects.filter(account=account).count() >= MAX_FEATURED_TAGS:
        raise ValidationFailed(
            _("You can feature at most %(max)s tags.") % {"max": MAX_FEATURED_TAGS}, field="name"
        )
    try:
        with transaction.atomic():
            return FeaturedTag.objects.create(account=account, tag=tag)
    except IntegrityError:
        raise ValidationFailed(_("This tag is already featured."), field="name") from None


@transaction.atomic(durable=True)
def featured_tag_delete(*, account: User, featured_id: int | str) -> None:
    try:
        deleted, _rows = FeaturedTag.objects.filter(
            pk=lookup_id(featured_id), account=account
        ).delete()
    except (TypeError, ValueError):
        deleted = 0
    if not deleted:
        raise NotFound(_("This featured tag does not exist."))


UNATTACHED_MEDIA_TTL = dt.timedelta(days=1)


def media_sweep_unattached(*, older_than: dt.timedelta = UNATTACHED_MEDIA_TTL) -> int:
    """Delete uploaded images that never made it into a post (a refused post, an abandoned
    composer), with their files. Scheduled posts keep theirs."""
    reserved: set[int] = set()
    for ids in ScheduledStatus.objects.values_list("media_ids", flat=True):
        reserved.update(int(i) for i in ids)
    stale = MediaAttachment.objects.filter(
        status__isnull=True, created_at__lt=timezone.now() - older_than
    ).exclude(pk__in=reserved)
    count = 0
    for media in stale.iterator():
        media.file.delete(save=False)
        media.thumbnail.delete(save=False)
        media.delete()
        count += 1
    return count


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
