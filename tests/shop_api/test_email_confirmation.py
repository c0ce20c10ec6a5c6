"""The shop API refuses a token whose account has not confirmed its address yet
(STOREFEED_EMAIL_CONFIRMATION), as the Mastodon API does."""

import pytest

from storefeed.accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_unconfirmed_account_is_403_until_confirmed(api, alice, settings):
    client = api(alice)
    User.objects.filter(pk=alice.pk).update(email_confirmed_at=None)
    assert client.get("/wallet").status_code == 200  # the switch is off: nothing is asked
    settings.EMAIL_CONFIRMATION = True
    refused = client.get("/wallet")
    assert refused.status_code == 403
    assert "confirmed email address" in refused.json()["error"]
    User.objects.filter(pk=alice.pk).update(email_confirmed_at="2026-01-01T00:00:00Z")
    assert client.get("/wallet").status_code == 200
