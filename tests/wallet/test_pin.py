"""The payment PIN: six digits, hashed, set once with the sign-in password, changed with
the PIN or the password; five wrong PINs block paying for 15 minutes."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.core.errors import Conflict, ValidationFailed
from storefeed.wallet.errors import PinLocked, PinNotSet, PinWrong
from storefeed.wallet.models import PaymentPin
from storefeed.wallet.selectors import wallet_overview
from storefeed.wallet.services import pin_change, pin_set, pin_verify

PASSWORD = "correct-horse-9"  # tests/conftest.py make_user
START = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def with_pin(alice):
    pin_set(account=alice, pin="258036", password=PASSWORD)
    return alice


def test_a_pin_is_set_once_and_stored_salted_and_hashed(alice):
    pin_set(account=alice, pin="258036", password=PASSWORD)
    stored = PaymentPin.objects.get(account=alice)
    assert "258036" not in stored.pin_hash
    assert stored.pin_hash.startswith("pbkdf2_sha256_pin$50000$")  # salted PBKDF2, not plain
    assert wallet_overview(account=alice).pin_set is True
    pin_verify(account=alice, pin="258036")


@pytest.mark.parametrize(
    "pin", ["12345", "1234567", "12345a", "abcdef", "", " 123456", "١٢٣٤٥٦", None, 123456]
)
def test_a_pin_that_is_not_six_digits_is_refused(alice, pin):
    with pytest.raises(ValidationFailed, match="exactly 6 digits") as caught:
        pin_set(account=alice, pin=pin, password=PASSWORD)
    assert caught.value.field == "pin"
    assert not PaymentPin.objects.exists()


def test_setting_the_pin_needs_the_sign_in_password(alice):
    with pytest.raises(ValidationFailed, match="not your sign-in password") as caught:
        pin_set(account=alice, pin="258036", password="wrong-password")
    assert caught.value.field == "password"
    assert not PaymentPin.objects.exists()


def test_a_pin_is_set_only_once(with_pin):
    with pytest.raises(Conflict, match="already set; change it instead"):
        pin_set(account=with_pin, pin="111111", password=PASSWORD)
    pin_verify(account=with_pin, pin="258036")


def test_paying_without_a_pin_is_refused_clearly(alice):
    with pytest.raises(PinNotSet, match="Set a payment PIN first"):
        pin_verify(account=alice, pin="123456")


def test_a_wrong_pin_says_how_many_tries_are_left_and_the_count_is_kept(with_pin):
    with pytest.raises(PinWrong, match=r"Wrong PIN; 4 tries left\.") as caught:
        pin_verify(account=with_pin, pin="000000")
    assert caught.value.details["tries_left"] == 4
    # The refused request's count is committed, not rolled back with the error.
    assert PaymentPin.objects.get(account=with_pin).failed_attempts == 1


def test_a_right_pin_resets_the_count(with_pin):
    for _ in range(3):
        with pytest.raises(PinWrong):
            pin_verify(account=with_pin, pin="000000")
    pin_verify(account=with_pin, pin="258036")
    assert PaymentPin.objects.get(account=with_pin).failed_attempts == 0
    with pytest.raises(PinWrong, match="4 tries left"):
        pin_verify(account=with_pin, pin="000000")


def test_a_malformed_pin_is_not_counted_as_a_try(with_pin):
    with pytest.raises(ValidationFailed, match="exactly 6 digits"):
        pin_verify(account=with_pin, pin="12345")
    assert PaymentPin.objects.get(account=with_pin).failed_attempts == 0


def test_five_wrong_pins_block_paying_for_fifteen_minutes(with_pin):
    with time_machine.travel(START, tick=False) as clock:
        for left in (4, 3, 2):
            with pytest.raises(PinWrong, match=f"{left} tries left"):
                pin_verify(account=with_pin, pin="000000")
        with pytest.raises(PinWrong, match="1 try left before paying is blocked"):
            pin_verify(account=with_pin, pin="000000")
        with pytest.raises(PinLocked, match="Paying is blocked until 12:15") as caught:
            pin_verify(account=with_pin, pin="000000")
        assert caught.value.details["locked_until"] == "2025-03-01T12:15:00+00:00"
        # Even the right PIN is refused while locked.
        clock.shift(dt.timedelta(minutes=14, seconds=59))
        with pytest.raises(PinLocked, match="until 12:15"):
            pin_verify(account=with_pin, pin="258036")
        assert wallet_overview(account=with_pin).pin_locked_until == START + dt.timedelta(
            minutes=15
        )
        clock.shift(dt.timedelta(seconds=1))
        assert wallet_overview(account=with_pin).pin_locked_until is None
        pin_verify(account=with_pin, pin="258036")
    record = PaymentPin.objects.get(account=with_pin)
    assert (record.failed_attempts, record.locked_until) == (0, None)


def test_after_a_lockout_ends_a_wrong_pin_starts_a_fresh_count(with_pin):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            with pytest.raises(PinWrong):
                pin_verify(account=with_pin, pin="000000")
        with pytest.raises(PinLocked):
            pin_verify(account=with_pin, pin="000000")
        clock.shift(dt.timedelta(minutes=15))
        with pytest.raises(PinWrong, match="4 tries left"):
            pin_verify(account=with_pin, pin="000000")


def test_the_pin_changes_with_the_old_pin(with_pin):
    pin_change(account=with_pin, old_pin="258036", new_pin="470913")
    pin_verify(account=with_pin, pin="470913")
    with pytest.raises(PinWrong):
        pin_verify(account=with_pin, pin="258036")
    assert PaymentPin.objects.get(account=with_pin).changed_at is not None


def test_a_wrong_old_pin_is_refused_and_counted(with_pin):
    with pytest.raises(PinWrong, match="4 tries left"):
        pin_change(account=with_pin, old_pin="000000", new_pin="470913")
    pin_verify(account=with_pin, pin="258036")  # unchanged


def test_a_forgotten_pin_changes_with_the_password_once_a_lockout_has_passed(with_pin):
    for _ in range(4):
        with pytest.raises(PinWrong):
            pin_verify(account=with_pin, pin="000000")
    with pytest.raises(PinLocked):
        pin_verify(account=with_pin, pin="000000")
    with pytest.raises(PinLocked):
        pin_change(account=with_pin, old_pin="258036", new_pin="470913")
    # While locked, the password way is closed too (or a stolen token could guess on).
    with pytest.raises(PinLocked):
        pin_change(account=with_pin, password=PASSWORD, new_pin="470913")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        pin_change(account=with_pin, password=PASSWORD, new_pin="470913")
        pin_verify(account=with_pin, pin="470913")


def test_changing_the_pin_refuses_bad_input_and_changes_nothing(with_pin):
    stored = PaymentPin.objects.get(account=with_pin).pin_hash
    with pytest.raises(ValidationFailed, match="exactly 6 digits") as caught:
        pin_change(account=with_pin, old_pin="258036", new_pin="12ab56")
    assert caught.value.field == "new_pin"
    with pytest.raises(ValidationFailed, match="current PIN or your sign-in password"):
        pin_change(account=with_pin, new_pin="470913")
    with pytest.raises(ValidationFailed, match="not your sign-in password"):
        pin_change(account=with_pin, password="nope-nope", new_pin="470913")
    with pytest.raises(ValidationFailed, match="exactly 6 digits") as caught:
        pin_change(account=with_pin, old_pin="2580", new_pin="470913")
    assert caught.value.field == "old_pin"
    assert PaymentPin.objects.get(account=with_pin).pin_hash == stored


def test_changing_a_pin_never_set_is_refused(alice):
    with pytest.raises(PinNotSet):
        pin_change(account=alice, password=PASSWORD, new_pin="470913")


def test_the_lock_time_is_shown_in_the_current_time_zone(with_pin):
    with (
        time_machine.travel(START, tick=False),
        timezone.override("Asia/Shanghai"),
    ):
        for _ in range(4):
            with pytest.raises(PinWrong):
                pin_verify(account=with_pin, pin="000000")
        with pytest.raises(PinLocked, match="until 20:15"):
            pin_verify(account=with_pin, pin="000000")


def test_wrong_sign_in_passwords_count_towards_the_lockout(alice):
    from storefeed.wallet import services as wallet
    from storefeed.wallet.errors import PinLocked

    wallet.pin_set(account=alice, pin="258036", password="correct-horse-9")
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            wallet.pin_change(account=alice, new_pin="111111", password="guess")
    with pytest.raises(PinLocked):
        wallet.pin_change(account=alice, new_pin="111111", password="guess")
    # Locked: even the right password waits, and the PIN is unchanged.
    with pytest.raises(PinLocked):
        wallet.pin_change(account=alice, new_pin="111111", password="correct-horse-9")
    with pytest.raises(PinLocked):
        wallet.pin_verify(account=alice, pin="258036")
