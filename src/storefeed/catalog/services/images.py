"""Product images: uploads checked and re-encoded, or the seller's uploaded media copied."""

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.models import (
    MAX_PRODUCT_IMAGES,
    Product,
    ProductImage,
)
from storefeed.catalog.services.checks import _ids
from storefeed.core.errors import ValidationFailed
from storefeed.posts.media import process_image
from storefeed.posts.models import MediaAttachment


def _prepared_images(
    account: User, images: Sequence[UploadedFile], media_ids: Sequence[object]
) -> list[tuple[ContentFile, ContentFile, int, int, str]]:
    """Uploads checked and re-encoded with Pillow, and the account's own uploaded media copied:
    (file, thumbnail, width, height, description), in order, at most nine."""
    wanted_media = _ids(media_ids, field="media_ids", what=_("image"))
    total = len(images) + len(wanted_media)
    if total > MAX_PRODUCT_IMAGES:
        raise ValidationFailed(
            _("A product can have at most %(max)s images; this one has %(count)s.")
            % {"max": MAX_PRODUCT_IMAGES, "count": total},
            field="images",
        )
    prepared = []
    for upload in images:
        processed = process_image(upload, field="images")
        prepared.append(
            (processed.original, processed.small, processed.width, processed.height, "")
        )
    if wanted_media:
        media = {
            m.pk: m
            for m in MediaAttachment.objects.filter(pk__in=wanted_media, account_id=account.pk)
        }
        if len(media) != len(wanted_media):
            raise ValidationFailed(_("An image is missing; upload it again."), field="media_ids")
        for pk in wanted_media:
            item = media[pk]
            # Media files were checked and re-encoded when uploaded; copy the bytes.
            with item.file.open("rb") as original, item.thumbnail.open("rb") as small:
                prepared.append(
                    (
                        ContentFile(
                            original.read(), name=(item.file.name or "image.jpg").rsplit("/", 1)[-1]
                        ),
                        ContentFile(small.read(), name="small.jpg"),
                        item.width,
                        item.height,
                        item.description[:500],
                    )
                )
    return prepared


def _store_images(
    product: Product, prepared: list[tuple[ContentFile, ContentFile, int, int, str]]
) -> None:
    for position, (original, small, width, height, description) in enumerate(prepared):
        image = ProductImage(
            product=product, position=position, width=width, height=height, description=description
        )
        image.file.save(original.name or "image.jpg", original, save=False)
        image.thumbnail.save("small.jpg", small, save=False)
        image.save()
