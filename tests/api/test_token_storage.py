"""Access and refresh tokens are stored as their SHA-256 only (django-oauth-toolkit's RFC 9700
storage): the database holds nothing that signs anyone in, and tokens made before the change
keep working after the migration that emptied their stored values."""

import hashlib
import importlib

import pytest
from django.apps import apps
from oauth2_provider.models import AccessToken, RefreshToken

from tests.api.test_oauth import PASSWORD, register, token

pytestmark = pytest.mark.django_db


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_issued_tokens_are_stored_as_checksums_and_still_work(anon, alice):
    app = register(anon)
    answer = token(
        anon,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username="alice",
        password=PASSWORD,
        scope="read",
    ).json()
    access, refresh = answer["access_token"], answer["refresh_token"]
    stored = AccessToken.objects.get(token_checksum=sha(access))
    assert stored.token == ""
    assert RefreshToken.objects.get(token_checksum=sha(refresh)).token == ""
    assert not AccessToken.objects.exclude(token="").exists()
    me = anon.get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {access}"}
    )
    assert me.status_code == 200 and me.json()["username"] == "alice"
    # The refresh grant finds its token by the checksum too, and so does revocation.
    renewed = token(
        anon,
        grant_type="refresh_token",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        refresh_token=refresh,
    )
    assert renewed.status_code == 200, renewed.content
    new_access = renewed.json()["access_token"]
    assert AccessToken.objects.get(token_checksum=sha(new_access)).token == ""
    revoked = anon.post(
        "/oauth/revoke",
        {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": new_access},
    )
    assert revoked.status_code == 200
    assert not AccessToken.objects.filter(token_checksum=sha(new_access)).exists()


def test_tokens_stored_in_clear_before_are_emptied_and_keep_working(anon, alice, oauth_app):
    application, _secret = oauth_app(scopes="read")
    old = AccessToken.objects.create(
        user=alice,
        application=application,
        token="made-before-the-change",
        scope="read",
        expires="2100-01-01T00:00:00Z",
    )
    RefreshToken.objects.create(
        user=alice, application=application, token="refresh-before", access_token=old
    )
    assert AccessToken.objects.get(pk=old.pk).token == "made-before-the-change"
    migration = importlib.import_module("storefeed.api.migrations.0004_hash_stored_tokens")
    migration.hash_stored(apps, None)
    assert AccessToken.objects.get(pk=old.pk).token == ""
    assert RefreshToken.objects.get(access_token=old).token == ""
    assert RefreshToken.objects.get(access_token=old).token_checksum == sha("refresh-before")
    me = anon.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": "Bearer made-before-the-change"},
    )
    assert me.status_code == 200
