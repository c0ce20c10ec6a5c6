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


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def each_cache(request, settings):
    """The shared cache in process memory (the embedded default) or in Redis; the parts'
    per-process level starts empty either way."""
    from django.core.cache import caches

    from storefeed.core import parts

    if request.param == "redis":
        location = request.getfixturevalue("redis_url")
        backend = "django.core.cache.backends.redis.RedisCache"
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    else:
        backend = "django.core.cache.backends.locmem.LocMemCache"
        settings.CACHES = {"default": {"BACKEND": backend}}
    caches["default"].clear()
    parts.clear_local()
    yield request.param
    caches["default"].clear()
    parts.clear_local()


def reads(client, url: str = "/", **extra) -> list[str]:
    """The page read twice: through this process's cached parts, then with those forgotten,
    so the second read's parts come from the shared cache alone."""
    from storefeed.core import parts

    first = client.get(url, **extra)
    parts.clear_local()
    second = client.get(url, **extra)
    assert first.status_code == second.status_code == 200
    return [first.content.decode(), second.content.decode()]


def article(body: str, status_id: int) -> str:
    """The HTML of one post (by its own id: a repost's, for a repost) on a page."""
    import re

    found = re.search(rf'<article [^>]*id="status-{status_id}">.*?</article>', body, re.S)
    assert found, f"post {status_id} is not on the page"
    return found.group(0)
