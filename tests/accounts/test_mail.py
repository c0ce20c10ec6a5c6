"""The emails state until when their links work in the recipient's own time zone and language:
the zone the account chose, else its language's (Asia/Shanghai for Chinese), else UTC."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from storefeed.accounts import services
from storefeed.accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_days(settings):
    settings.EMAIL_CONFIRMATION = True
    settings.EMAIL_CONFIRMATION_HOURS = 48
    settings.PASSWORD_RESET_TIMEOUT = 2 * 3600


@pytest.mark.parametrize(
    ("locale", "time_zone", "expected"),
    [
        ("en", "", "The link works until December 5, 2026, 12:00 (UTC)."),
        ("zh-hans", "", "链接在 2026年12月5日 20:00（Asia/Shanghai） 之前有效。"),
        (
            "en",
            "America/New_York",
            "The link works until December 5, 2026, 07:00 (America/New_York).",
        ),
        ("zh-hans", "Europe/Berlin", "链接在 2026年12月5日 13:00（Europe/Berlin） 之前有效。"),
    ],
)
def test_the_confirmation_link_states_its_end_in_the_readers_zone(
    two_days, locale, time_zone, expected
):
    user = make_user("dora", locale=locale, time_zone=time_zone)
    User.objects.filter(pk=user.pk).update(email_confirmed_at=None)
    user.refresh_from_db()
    with time_machine.travel(SENT, tick=False):
        services.email_confirmation_resend(account=user, site_url="http://sf.test")
    [message] = mail.outbox
    assert expected in message.body
    assert "http://sf.test/auth/confirm/" in message.body


def test_a_sign_up_in_chinese_reads_shanghai_time(two_days):
    with time_machine.travel(SENT, tick=False):
        services.account_signup(
            username="erin",
            email="erin@example.com",
            password="a-long-passphrase-7",
            locale="zh-hans",
        )
    [message] = mail.outbox
    assert message.subject == "确认你在 Storefeed 的邮箱地址"
    assert "2026年12月5日 20:00（Asia/Shanghai）" in message.body
    assert message.body.startswith("erin，你好：")


@pytest.mark.parametrize(
    ("locale", "time_zone", "expected"),
    [
        ("en", "", "The link works once, until December 3, 2026, 14:00 (UTC)."),
        ("zh-hans", "", "链接只能用一次，在 2026年12月3日 22:00（Asia/Shanghai） 之前有效。"),
        ("en", "Asia/Tokyo", "The link works once, until December 3, 2026, 23:00 (Asia/Tokyo)."),
    ],
)
def test_the_reset_link_states_its_end_in_the_readers_zone(two_days, locale, time_zone, expected):
    user = make_user("fay", locale=locale, time_zone=time_zone)
    with time_machine.travel(SENT, tick=False):
        services.password_reset_send(account_id=user.pk, site_url="http://sf.test")
    [message] = mail.outbox
    assert expected in message.body
    assert "http://sf.test/password/reset/" in message.body


def test_an_unknown_zone_falls_back_to_the_languages(two_days):
    # A zone name the machine's tz database no longer has (the setting is checked when saved,
    # but databases change): the email still goes out, in the language's zone.
    user = make_user("gus", locale="zh-hans", time_zone="Mars/Olympus")
    with time_machine.travel(SENT, tick=False):
        services.password_reset_send(account_id=user.pk)
    assert "2026年12月3日 22:00（Asia/Shanghai）" in mail.outbox[0].body
