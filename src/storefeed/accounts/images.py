"""Profile pictures: check an upload is a real image, then re-encode it small and EXIF-free."""

import io
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from storefeed.core.errors import ValidationFailed

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
AVATAR_SIZE = (400, 400)
HEADER_MAX = (1500, 500)


def _size_of(upload: Any) -> int:
    size = getattr(upload, "size", None)
    if size is not None:
        return int(size)
    pos = upload.tell()
    upload.seek(0, io.SEEK_END)
    end = upload.tell()
    upload.seek(pos)
    return int(end)


def _open_checked(upload: IO[bytes], *, field: str) -> Image.Image:
    limit = settings.MEDIA_MAX_IMAGE_BYTES
    if _size_of(upload) > limit:
        raise ValidationFailed(
            _("That file is too large; images may be at most %(limit)s.")
            % {"limit": filesizeformat(limit)},
            field=field,
        )
    upload.seek(0)
    try:
        # verify() checks the structure; it leaves the image unusable, so open it again.
        with Image.open(upload) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationFailed(_("Upload a JPEG, PNG, GIF or WebP image."), field=field)
            if probe.width * probe.height > settings.MEDIA_MAX_IMAGE_PIXELS:
                raise ValidationFailed(_("That image has too many pixels."), field=field)
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(
            _("That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP image."),
            field=field,
        ) from None
    return image


def _encode(image: Image.Image, source_format: str, stem: str) -> ContentFile:
    """Re-encode without metadata. Transparency keeps PNG (or WebP); the rest becomes JPEG."""
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if source_format == "WEBP":
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.save(out, "WEBP", quality=85)
        ext = "webp"
    elif has_alpha or source_format in ("PNG", "GIF"):
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.save(out, "PNG", optimize=True)
        ext = "png"
    else:
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
        ext = "jpg"
    return ContentFile(out.getvalue(), name=f"{stem}.{ext}")


def process_avatar(upload: IO[bytes], *, stem: str) -> ContentFile:
    """A square avatar, centre-cropped, at most 400x400."""
    image = _open_checked(upload, field="avatar")
    source_format = image.format or "PNG"
    image = ImageOps.exif_transpose(image) or image
    side = min(image.width, image.height, AVATAR_SIZE[0])
    image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
    return _encode(image, source_format, stem)


def process_header(upload: IO[bytes], *, stem: str) -> ContentFile:
    """A header image that fits in 1500x500, proportions kept."""
    image = _open_checked(upload, field="header")
    source_format = image.format or "PNG"
    image = ImageOps.exif_transpose(image) or image
    image.thumbnail(HEADER_MAX, Image.Resampling.LANCZOS)
    return _encode(image, source_format, stem)
