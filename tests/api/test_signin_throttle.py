"""Sign-in throttling (accounts/throttle.py) on every path that checks a password: OAuth's
password grant, the web sign-in, the admin's sign-in, changing the password and setting a
payment PIN; in the database and in Redis. Per address first, then per account, with
doubling waits; the same answers whether the account exists."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from storefeed.core.models import LimitCounter

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"  # the conftest accounts' password


@pytest.fixture(autouse=True)
def _clock_stands_still():
    """The waits start at 1 s: a slow machine must not let one pass between two calls."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def app(oauth_app) -> dict:
    application, secret = oauth_app()
    return {"client_id": application.client_id, "client_secret": secret}


def grant(app: dict, username: str, password: str, address: str = "10.0.0.1"):
    return Client().post(
        "/oauth/token",
        {
            **app,
            "grant_type": "password",
            "username": username,
            "password": password,
            "scope": "read",
        },
        REMOTE_ADDR=address,
    )


def sign_in(username: str, password: str, address: str = "10.0.0.1", language: str = "en"):
    return Client(headers={"Accept-Language": language}).post(
        "/login", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def failures_before_429(call) -> int:
    for attempt in range(1, 100):
        if call().status_code == 429:
            return attempt - 1
    raise AssertionError("never throttled")


def test_password_grant_one_address_gets_ten_tries_then_waits_that_double(limits_store, app, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert failures_before_429(lambda: grant(app, "alice", "wrong")) == 10
        refused = grant(app, "alice", PASSWORD)  # the right password is not even checked
        assert refused.status_code == 429
        assert refused["Retry-After"] == "1"
        assert refused.json()["error"] == "Too many requests"
        assert "Try again in 1 second" in refused.json()["error_description"]
        clock.shift(dt.timedelta(seconds=1.1))
        assert grant(app, "alice", "wrong").status_code == 400  # the 11th try, then 2 s
        assert grant(app, "alice", PASSWORD)["Retry-After"] == "2"
        clock.shift(dt.timedelta(seconds=2.1))
        assert grant(app, "alice", "wrong").status_code == 400
        assert grant(app, "alice", PASSWORD)["Retry-After"] == "4"
        clock.shift(dt.timedelta(seconds=4.1))
        assert grant(app, "alice", PASSWORD).status_code == 200


def test_a_stranger_throttled_at_one_address_does_not_lock_the_owner_out(limits_store, app, alice):
    for _ in range(10):
        grant(app, "alice", "wrong", address="10.6.6.6")
    assert grant(app, "alice", "wrong", address="10.6.6.6").status_code == 429
    assert grant(app, "alice", PASSWORD, address="10.0.0.2").status_code == 200
    # A right password takes the address's attempt back; the owner's account starts again.
    assert grant(app, "alice", "wrong", address="10.0.0.2").status_code == 400


def test_guessing_from_many_addresses_makes_the_account_wait_at_most_five_minutes(
    limits_store, app, alice, settings
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(20):  # 20 addresses, one wrong guess each: no address is throttled
            assert grant(app, "alice", "wrong", address=f"10.1.0.{n}").status_code == 400
        refused = grant(app, "alice", PASSWORD, address="10.2.0.1")
        assert refused.status_code == 429
        for n in range(12):  # keep guessing as soon as allowed: the wait stops at 300 s
            clock.shift(dt.timedelta(seconds=int(refused["Retry-After"]) + 0.1))
            assert grant(app, "alice", "wrong", address=f"10.3.0.{n}").status_code == 400
            refused = grant(app, "alice", PASSWORD, address="10.2.0.1")
        assert refused["Retry-After"] == str(settings.SIGNIN_ACCOUNT_MAX_WAIT)
        clock.shift(dt.timedelta(seconds=301))
        assert grant(app, "alice", PASSWORD, address="10.2.0.1").status_code == 200


def test_the_answers_do_not_say_whether_the_account_exists(limits_store, app, alice):
    def answers(username: str, address: str) -> list[tuple[int, str]]:
        out = []
        for _ in range(12):
            response = grant(app, username, "wrong", address=address)
            out.append((response.status_code, response.content.decode()))
        return out

    assert answers("alice", "10.0.0.7") == answers("nobody-here", "10.0.0.8")
    assert answers("alice@example.com", "10.0.0.9") == answers("no@example.com", "10.0.0.10")


def test_username_and_email_share_the_account_counter(limits_store, app, alice):
    for n in range(10):
        grant(app, "alice", "wrong", address=f"10.4.0.{n}")
    for n in range(10):
        grant(app, "ALICE@example.com", "wrong", address=f"10.5.0.{n}")
    assert grant(app, "alice", PASSWORD, address="10.9.9.9").status_code == 429


def test_web_sign_in_says_when_to_try_again_in_both_languages(limits_store, alice):
    for _ in range(10):
        assert sign_in("alice", "wrong").status_code == 200
    page = sign_in("alice", PASSWORD)
    assert page.status_code == 429
    assert page["Retry-After"] == "1"
    assert "Too many sign-in attempts. Try again in 1 second." in page.content.decode()
    assert "_auth_user_id" not in page.client.session
    chinese = sign_in("alice", PASSWORD, language="zh-hans")
    assert "登录尝试次数过多" in chinese.content.decode()


def test_web_sign_in_and_the_password_grant_share_the_counters(limits_store, app, alice):
    for _ in range(5):
        sign_in("alice", "wrong")
    for _ in range(5):
        grant(app, "alice", "wrong")
    assert sign_in("alice", PASSWORD).status_code == 429
    assert grant(app, "alice", PASSWORD).status_code == 429


def test_a_right_password_forgets_the_accounts_failures(limits_store, app, alice):
    for n in range(19):
        grant(app, "alice", "wrong", address=f"10.7.0.{n}")
    assert grant(app, "alice", PASSWORD, address="10.8.0.1").status_code == 200
    for n in range(19):
        assert grant(app, "alice", "wrong", address=f"10.8.1.{n}").status_code == 400


def test_the_admin_sign_in_is_throttled(limits_store, alice):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    client = Client()
    for _ in range(10):
        page = client.post(
            "/admin/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.3"
        )
        assert page.status_code == 200
    page = client.post(
        "/admin/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"
    )
    assert page.status_code == 200
    assert "Too many sign-in attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_password_counts_wrong_current_passwords(limits_store, client_for, alice):
    from storefeed.accounts.services import password_change
    from storefeed.accounts.throttle import SignInThrottled
    from storefeed.core.errors import ValidationFailed

    for _ in range(20):
        with pytest.raises(ValidationFailed):
            password_change(account=alice, old_password="wrong", new_password="n3w-secret-pw")
    with pytest.raises(SignInThrottled) as caught:
        password_change(account=alice, old_password=PASSWORD, new_password="n3w-secret-pw")
    assert caught.value.http_status == 429
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_expired_database_counters_are_purged(alice, settings):
    from storefeed.core.limits import counters_purge

    settings.REDIS_URL = ""
    for _ in range(3):
        sign_in("alice", "wrong")
    assert LimitCounter.objects.count() == 2  # the address and the account
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert counters_purge() == 2
    assert not LimitCounter.objects.exists()
