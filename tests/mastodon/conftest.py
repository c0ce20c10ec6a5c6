import datetime as dt
import json
import secrets

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from tests.posts.conftest import image_file


class Api:
    """A test client that speaks to the Mastodon API with one bearer token."""

    def __init__(self, user, scope: str = "read write follow push") -> None:
        app = Application.objects.create(
            name="test app",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        )
        self.token = AccessToken.objects.create(
            user=user,
            application=app,
            token=secrets.token_urlsafe(32),
            scope=scope,
            expires=timezone.now() + dt.timedelta(days=1),
        )
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.token.token}")

    def get(self, path, data=None, **kw):
        return self.client.get(path, data, **kw)

    def post(self, path, data=None, **kw):
        return self.client.post(path, json.dumps(data or {}), content_type="application/json", **kw)

    def form(self, path, data=None, **kw):
        return self.client.post(path, data or {}, **kw)

    def put(self, path, data=None, **kw):
        return self.client.put(path, json.dumps(data or {}), content_type="application/json", **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, **kw)


@pytest.fixture
def api_for(db):
    def make(user, scope: str = "read write follow push") -> Api:
        return Api(user, scope)

    return make


@pytest.fixture
def make_image():
    return image_file
