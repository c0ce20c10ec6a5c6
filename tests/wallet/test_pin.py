"""The payment PIN: six digits, hashed, set once with the sign-in password, changed with
the PIN or the password; five wrong PINs block paying for 15 minutes."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from storefeed.core.errors import Conflict, ValidationFailed
from storefeed.wallet.errors import PinLocked, PinNotSet, PinResetNeeded, PinWrong
from storefeed.wallet.models import PaymentPin
from storefeed.wallet.pins import PinHasher, PinMatch, pin_match
from storefeed.wallet.selectors import wallet_overview
from storefeed.wallet.services import pin_change, pin_check, pin_set, pin_verify

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
    # Salted and keyed: HMAC-SHA256 with a key that is not in the database.
    algorithm, key_id, salt, digest = stored.pin_hash.split("$")
    assert (algorithm, len(key_id), len(salt), len(digest)) == ("hmac_sha256_pin", 8, 16, 64)
    assert wallet_overview(account=alice).pin_set is True
    pin_verify(account=alice, pin="258036")


def test_the_same_pin_twice_is_stored_differently(alice, bob):
    pin_set(account=alice, pin="258036", password=PASSWORD)
    pin_set(account=bob, pin="258036", password=PASSWORD)
    assert len(set(PaymentPin.objects.values_list("pin_hash", flat=True))) == 2


def test_a_stolen_database_alone_does_not_check_a_pin(with_pin, settings):
    """Without the key, the stored hash matches no PIN: guessing needs the key too."""
    stored = PaymentPin.objects.get(account=with_pin).pin_hash
    settings.WALLET_PIN_KEY = "another site's key"
    assert pin_match("258036", stored) is PinMatch.UNREADABLE
    for pin in ("258036", "000000"):
        with pytest.raises(PinResetNeeded, match="set again") as caught:
            pin_verify(account=with_pin, pin=pin)
        assert caught.value.code == "pin_reset_needed"
    # Not counted as tries (every PIN gets the same answer), and nothing was rewritten.
    record = PaymentPin.objects.get(account=with_pin)
    assert (record.failed_attempts, record.pin_hash) == (0, stored)
    # The way back: a new PIN with the sign-in password.
    pin_change(account=with_pin, password=PASSWORD, new_pin="470913")
    pin_verify(account=with_pin, pin="470913")


def test_an_old_key_still_listed_verifies_and_is_replaced_on_the_next_right_pin(with_pin, settings):
    settings.WALLET_PIN_KEY = "the first key"
    pin_change(account=with_pin, password=PASSWORD, new_pin="470913")
    made_with_first = PaymentPin.objects.get(account=with_pin).pin_hash
    settings.WALLET_PIN_KEY = "the second key"
    settings.WALLET_PIN_OLD_KEYS = ["the first key"]
    with pytest.raises(PinWrong, match="4 tries left"):
        pin_verify(account=with_pin, pin="000000")
    assert PaymentPin.objects.get(account=with_pin).pin_hash == made_with_first
    pin_verify(account=with_pin, pin="470913")
    upgraded = PaymentPin.objects.get(account=with_pin)
    assert upgraded.pin_hash != made_with_first and upgraded.failed_attempts == 0
    settings.WALLET_PIN_OLD_KEYS = []
    pin_verify(account=with_pin, pin="470913")  # the second key alone checks it now


def test_a_pin_stored_with_the_former_pbkdf2_works_and_is_upgraded(alice):
    legacy = PinHasher().encode("258036", PinHasher().salt())
    PaymentPin.objects.create(account=alice, pin_hash=legacy)
    with pytest.raises(PinWrong, match="4 tries left"):
        pin_verify(account=alice, pin="000000")
    assert PaymentPin.objects.get(account=alice).pin_hash == legacy  # wrong: not upgraded
    pin_verify(account=alice, pin="258036")
    record = PaymentPin.objects.get(account=alice)
    assert record.pin_hash.startswith("hmac_sha256_pin$") and record.failed_attempts == 0
    pin_verify(account=alice, pin="258036")
    with pytest.raises(PinWrong, match="4 tries left"):
        pin_verify(account=alice, pin="111111")


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


def test_pin_check_returns_the_refusal_for_the_caller_to_raise_after_committing(with_pin):
    with transaction.atomic():
        wrong = pin_check(account=with_pin, pin="000000")
    assert isinstance(wrong.refusal, PinWrong) and wrong.written
    assert PaymentPin.objects.get(account=with_pin).failed_attempts == 1
    with transaction.atomic():
        right = pin_check(account=with_pin, pin="258036")
    assert right.refusal is None and right.written  # the count was reset
    with transaction.atomic():
        again = pin_check(account=with_pin, pin="258036")
    assert again.refusal is None and not again.written
    with transaction.atomic(), pytest.raises(ValidationFailed, match="exactly 6 digits"):
        pin_check(account=with_pin, pin="12345")
    assert PaymentPin.objects.get(account=with_pin).failed_attempts == 0
