"""Fixtures for the accounts tests: staff, and image files made by Pillow."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import make_user


@pytest.fixture
def staff(db):
    return make_user("staffer", is_staff=True)


def image_file(
    name: str = "pic.jpg", *, fmt: str = "JPEG", size=(800, 600), mode="RGB", exif=None
) -> SimpleUploadedFile:
    buf = io.BytesIO()
    img = Image.new(mode, size, (200, 40, 90) if mode == "RGB" else (200, 40, 90, 128))
    kwargs = {}
    if exif is not None:
        kwargs["exif"] = exif
    img.save(buf, fmt, **kwargs)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def make_image():
    return image_file
