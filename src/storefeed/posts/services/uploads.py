"""Uploaded images: store one, change its description or focus, sweep the unattached."""

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.ids import new_version
from storefeed.core.parse import lookup_id
from storefeed.core.text import (
    clean_plain,
)
from storefeed.posts import search, video
from storefeed.posts.media import process_image
from storefeed.posts.models import (
    MediaAttachment,
    ScheduledStatus,
    Status,
)


def media_create(
    *, account: User, file: UploadedFile, description: str = "", focus: tuple[float, float] = (0, 0)
) -> MediaAttachment:
    """Check and store one image, not yet attached to a post; a video or an animated GIF is
    checked and kept for the worker to transcode (posts/video.py)."""
    description = clean_plain(description or "", multiline=True)
    if len(description) > 1500:
        raise ValidationFailed(
            _("Image descriptions can be at most 1,500 characters."), field="description"
        )
    if video.looks_like_video(file):
        return video.media_video_create(
            account=account, file=file, description=description, focus=focus
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
        media.source.delete(save=False)
        media.delete()
        count += 1
    return count
