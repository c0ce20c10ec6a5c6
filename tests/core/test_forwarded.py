"""X-Forwarded-For believed only from the proxies the site lists (core/forwarded.py): the
client's address behind them is what per-address limits count; nobody else can choose it."""

import pytest
from django.test import Client, override_settings

from storefeed.core.forwarded import client_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "192.0.2.7"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),  # one proxy
        ("10.1.2.3", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a client's own header
        ("10.1.2.3", "203.0.113.9, 192.0.2.7", "203.0.113.9"),  # two proxies in a row
        ("10.1.2.3", "203.0.113.9:51000", "203.0.113.9"),  # with a port
        ("10.1.2.3", "[2001:db8::5]:443", "2001:db8::5"),
        ("10.1.2.3", "", "10.1.2.3"),  # no header: the proxy itself
        ("10.1.2.3", "junk, 203.0.113.9", "203.0.113.9"),
        ("10.1.2.3", "203.0.113.9, junk", "10.1.2.3"),  # garbage from the proxy's side
        ("10.1.2.3", "10.9.9.9", "10.9.9.9"),  # only proxies: the farthest one
        ("203.0.113.50", "198.51.100.1", "203.0.113.50"),  # not a listed proxy: ignored
        ("", "198.51.100.1", ""),
    ],
)
def test_the_client_is_the_first_address_past_the_listed_proxies(remote, forwarded, client):
    assert client_address(remote, forwarded, PROXIES) == client


def test_nothing_is_believed_without_listed_proxies():
    assert client_address("10.1.2.3", "203.0.113.9", ()) == "10.1.2.3"


def test_a_bad_entry_in_the_setting_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        parse_networks(["10.0.0.0/8", "not-an-address"])


@pytest.mark.django_db
def test_per_address_limits_count_the_client_behind_a_listed_proxy(settings):
    """The API's rate limit without a token: two clients behind one proxy are counted apart;
    a client talking directly cannot move itself to another address with the header."""
    settings.API_RATE_LIMIT = 2

    def remaining(remote: str, forwarded: str) -> str:
        response = Client(REMOTE_ADDR=remote).get(
            "/api/v1/timelines/public", headers={"X-Forwarded-For": forwarded}
        )
        assert response.status_code in (200, 429)
        return response["X-RateLimit-Remaining"]

    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert remaining("10.0.0.1", "203.0.113.1") == "1"
        assert remaining("10.0.0.1", "203.0.113.2") == "1"  # another client, its own count
        assert remaining("10.0.0.2", "203.0.113.1") == "0"  # the first again, via another proxy
        # Not through a listed proxy: its own address counts, whatever the header says.
        assert remaining("198.51.100.7", "203.0.113.3") == "1"
        assert remaining("198.51.100.7", "203.0.113.4") == "0"
