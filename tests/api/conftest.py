"""Fixtures for the Mastodon API tests: registered apps and clients holding bearer tokens."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

ALL = "read write follow push"


def png_upload(name: str = "face.png", size=(64, 64)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (255, 130, 0)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def oauth_app(db):
    """make(scopes=..., redirect_uris=...) registers an app; returns (application, secret)."""
    from storefeed.api.services import client_app_create

    def _make(scopes: str = ALL, redirect_uris: str = "urn:ietf:wg:oauth:2.0:oob"):
        application, _client_app, secret = client_app_create(
            name="Test app", redirect_uris=redirect_uris.split(), scopes=scopes.split()
        )
        return application, secret

    return _make


@pytest.fixture
def api_client(oauth_app):
    """api_client(user, scopes="read write follow push") -> a test Client sending a bearer
    token for `user` (None: an app token). The token is on `.token`, the user on `.user`."""
    from storefeed.api.services import access_token_issue

    def _client(user: Any = None, scopes: str = ALL, app_scopes: str = ALL) -> Client:
        application, _secret = oauth_app(scopes=app_scopes)
        if user is None:
            from oauth2_provider.models import AccessToken
            from oauthlib.common import generate_token

            token = generate_token()
            AccessToken.objects.create(
                user=None,
                application=application,
                token=token,
                scope=scopes,
                expires="2100-01-01T00:00:00Z",
            )
        else:
            token = access_token_issue(application=application, account=user, scopes=scopes.split())
        client = Client(headers={"Authorization": f"Bearer {token}"})
        client.token = token  # type: ignore[attr-defined]
        client.user = user  # type: ignore[attr-defined]
        client.application = application  # type: ignore[attr-defined]
        return client

    return _client


@pytest.fixture
def anon():
    return Client()
