"""Fixtures for the web page tests: posts made through the real services, images, htmx."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

HTMX = {"HTTP_HX_REQUEST": "true"}


def image_upload(name: str = "photo.jpg", size=(64, 48), fmt: str = "JPEG") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (255, 130, 0)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def post():
    """post(account, text, **kwargs) publishes through posts.services.status_create."""
    from storefeed.posts.services import status_create

    def _post(account, text="Hello", **kwargs):
        return status_create(account=account, text=text, **kwargs)

    return _post


@pytest.fixture
def follow():
    from storefeed.social.services import follow_create

    def _follow(follower, target):
        return follow_create(follower=follower, target=target)

    return _follow


@pytest.fixture
def alice_client(alice, client_for):
    return client_for(alice)


@pytest.fixture
def bob_client(bob, client_for):
    return client_for(bob)
