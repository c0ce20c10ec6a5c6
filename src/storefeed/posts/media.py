"""Image uploads: checked and re-encoded with Pillow (which also drops EXIF), with a thumbnail."""

import io
from dataclasses import dataclass

import blurhash
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from storefeed.core.errors import ValidationFailed

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
MAX_EDGE = 2048
THUMBNAIL_EDGE = 480


@dataclass
class ProcessedImage:
    original: ContentFile
    small: ContentFile
    width: int
    height: int
    content_type: str
    blurhash: str = ""


def _blurhash(image: Image.Image) -> str:
    """The placeholder clients paint while the image loads; from a 32 px copy, so it is cheap."""
    tiny = image.convert("RGB")
    tiny.thumbnail((32, 32))
    pixels = list(tiny.get_flattened_data())
    rows = [pixels[y * tiny.width : (y + 1) * tiny.width] for y in range(tiny.height)]
    return str(blurhash.encode(rows, components_x=4, components_y=3))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def process_image(upload: UploadedFile, *, field: str = "file") -> ProcessedImage:
    """Check that `upload` is a real, reasonably sized image and return clean re-encodings."""
    limit = settings.MEDIA_MAX_IMAGE_BYTES
    name = upload.name or "image"
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(
            _("%(name)s is %(size)s MB; images can be at most %(limit)s MB.")
            % {"name": name, "size": _megabytes(upload.size), "limit": _megabytes(limit)},
            field=field,
        )
    data = upload.read()
    if len(data) > limit:
        raise ValidationFailed(
            _("%(name)s is %(size)s MB; images can be at most %(limit)s MB.")
            % {"name": name, "size": _megabytes(len(data)), "limit": _megabytes(limit)},
            field=field,
        )
    not_an_image = ValidationFailed(
        _("%(name)s is not an image we can read (use JPEG, PNG, GIF or WebP).") % {"name": name},
        field=field,
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > settings.MEDIA_MAX_IMAGE_PIXELS:
                raise ValidationFailed(
                    _("%(name)s is too large (%(w)s × %(h)s pixels).")
                    % {"name": name, "w": probe.width, "h": probe.height},
                    field=field,
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            image = ImageOps.exif_transpose(img)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None

    keep_alpha = image.mode in ("RGBA", "LA", "P") and kind in ("PNG", "GIF", "WEBP")
    image = image.convert("RGBA" if keep_alpha else "RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    out_format, content_type, ext = (
        ("PNG", "image/png", "png")
        if keep_alpha
        else (
            "JPEG",
            "image/jpeg",
            "jpg",
        )
    )
    # Saving without `exif=` writes no EXIF: location and camera data never leave the server.
    original = io.BytesIO()
    image.save(
        original, out_format, **({"quality": 88, "optimize": True} if out_format == "JPEG" else {})
    )
    small_img = image.copy()
    small_img.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    small = io.BytesIO()
    small_img.convert("RGB").save(small, "JPEG", quality=80, optimize=True)
    return ProcessedImage(
        original=ContentFile(original.getvalue(), name=f"image.{ext}"),
        small=ContentFile(small.getvalue(), name="small.jpg"),
        width=image.width,
        height=image.height,
        content_type=content_type,
        blurhash=_blurhash(small_img),
    )
