import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_file(
    name: str = "photo.jpg", size=(64, 48), fmt: str = "JPEG", exif: bytes | None = None
):
    buf = io.BytesIO()
    img = Image.new("RGB", size, (250, 130, 0))
    kwargs = {"exif": exif} if exif else {}
    img.save(buf, fmt, **kwargs)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def make_image():
    return image_file
