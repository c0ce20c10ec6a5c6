"""Paying: PIN first, then the total into escrow in one transaction; every refusal moves
nothing; a replayed key moves nothing again."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.notifications.models import Notification
from storefeed.orders import services
from storefeed.orders.errors import OrderStateConflict, PaymentExpired
from storefeed.wallet.errors import (
    IdempotencyKeyReused,
    InsufficientFunds,
    PinLocked,
    PinNotSet,
    PinWrong,
)
from storefeed.wallet.models import PaymentPin
from tests.orders.conftest import (
    PIN,
    address_for,
    balance_of,
    escrow_balance,
    make_buyer,
    pay,
    place_one,
    snapshot,
    stock_of,
)


def test_paying_moves_the_total_into_escrow(buyer, address, tea, seller):
    order = place_one(buyer, address, tea, 2)
    paid = pay(buyer, order)
    assert paid.state == "paid" and paid.paid_at is not None
    assert balance_of(buyer) == 100_000 - 17_600
    assert escrow_balance() == 17_600
    assert balance_of(seller) == 0
    assert stock_of(tea) == 8
    order.refresh_from_db()
    assert order.state == "paid"
    assert list(order.events.values_list("from_state", "to_state", "actor")) == [
        ("", "pending_payment", buyer.pk),
        ("pending_payment", "paid", buyer.pk),
    ]
    note = Notification.objects.filter(recipient=seller, type="shop").latest("id")
    assert note.data["event"] == "order_paid" and note.data["order_id"] == str(order.pk)
    assert note.data["url"] == f"/orders/{order.pk}"


def test_a_replayed_key_returns_the_paid_order_and_moves_nothing(buyer, address, tea):
    order = place_one(buyer, address, tea)
    first = pay(buyer, order, idempotency_key="pay-1")
    after_first = snapshot()
    again = pay(buyer, order, idempotency_key="pay-1")
    assert again.pk == first.pk and again.state == "paid"
    assert snapshot() == after_first
    other = place_one(buyer, address, tea)
    with pytest.raises(IdempotencyKeyReused):
        pay(buyer, other, idempotency_key="pay-1")
    assert other.__class__.objects.get(pk=other.pk).state == "pending_payment"


def test_paying_twice_is_refused(buyer, address, tea):
    order = place_one(buyer, address, tea)
    pay(buyer, order)
    before = snapshot()
    with pytest.raises(OrderStateConflict, match="already paid") as refused:
        pay(buyer, order)
    assert refused.value.http_status == 409
    assert snapshot() == before


def test_paying_someone_elses_order_is_not_found(buyer, address, tea, bob):
    order = place_one(buyer, address, tea)
    make_buyer(bob)
    before = snapshot()
    with pytest.raises(NotFound):
        pay(bob, order)
    with pytest.raises(NotFound):
        services.order_pay(buyer=bob, order_id="junk", pin=PIN, idempotency_key="k")
    assert snapshot() == before
    # Bob's PIN was not even looked at.
    assert PaymentPin.objects.get(account=bob).failed_attempts == 0


def test_too_little_money_says_how_much_is_missing_and_keeps_the_reservation(address, tea, bob):
    poor = make_buyer(bob, amount="50.00")
    order = place_one(poor, address_for(poor), tea, 1)
    before = snapshot()
    with pytest.raises(InsufficientFunds) as refused:
        pay(poor, order)
    assert refused.value.details["shortfall"] == 3800
    assert snapshot() == before
    assert stock_of(tea) == 9  # still reserved until the deadline
    from storefeed.wallet.services import topup_create

    topup_create(account=poor, amount="38.00")
    assert pay(poor, order).state == "paid"


def test_a_wrong_pin_is_counted_and_moves_nothing(buyer, address, tea):
    order = place_one(buyer, address, tea)
    before = snapshot()
    with pytest.raises(PinWrong, match="4 tries left"):
        pay(buyer, order, pin="000000")
    assert snapshot() == before
    assert PaymentPin.objects.get(account=buyer).failed_attempts == 1


@pytest.mark.parametrize("pin", ["12345", "abcdef", "", "1234567"])
def test_a_malformed_pin_is_refused(buyer, address, tea, pin):
    order = place_one(buyer, address, tea)
    before = snapshot()
    with pytest.raises(ValidationFailed, match="6 digits"):
        pay(buyer, order, pin=pin)
    assert snapshot() == before


def test_five_wrong_pins_block_paying(buyer, address, tea):
    order = place_one(buyer, address, tea)
    for _ in range(4):
        with pytest.raises(PinWrong):
            pay(buyer, order, pin="000000")
    with pytest.raises(PinLocked):
        pay(buyer, order, pin="000000")
    with pytest.raises(PinLocked):
        pay(buyer, order)  # even the right PIN, for 15 minutes
    assert order.__class__.objects.get(pk=order.pk).state == "pending_payment"


def test_no_pin_set_is_refused(address, tea, bob):
    order = place_one(bob, address_for(bob), tea)
    with pytest.raises(PinNotSet):
        pay(bob, order)


def test_paying_after_the_deadline_is_refused_even_before_the_sweep(buyer, address, tea):
    order = place_one(buyer, address, tea)
    before = snapshot()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        with pytest.raises(PaymentExpired, match="ran out"):
            pay(buyer, order)
        assert snapshot() == before
        assert services.orders_expire_due() == 1
        with pytest.raises(PaymentExpired):
            pay(buyer, order)
    assert stock_of(tea) == 10


def test_an_empty_key_is_refused(buyer, address, tea):
    order = place_one(buyer, address, tea)
    with pytest.raises(ValidationFailed, match="Idempotency-Key"):
        services.order_pay(buyer=buyer, order_id=order.pk, pin=PIN, idempotency_key="")
