"""The order's life: shipping, delivery (confirmed or automatic), completion after the refund
window, cancelling, refunds, disputes; every legal move and the refused ones."""

import datetime as dt

import pytest
import time_machine
from django.test.utils import override_settings
from django.utils import timezone

from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.core.money import display
from storefeed.notifications.models import Notification
from storefeed.orders import services
from storefeed.orders.errors import OrderStateConflict, RefundWindowClosed
from storefeed.orders.models import Order
from storefeed.orders.states import TRANSITIONS
from tests.orders.conftest import (
    balance_of,
    escrow_balance,
    make_buyer,
    pay,
    place_one,
    snapshot,
    stock_of,
)

DAY = dt.timedelta(days=1)


@pytest.fixture
def paid(buyer, address, tea):
    return pay(buyer, place_one(buyer, address, tea, 2))  # ¥176.00


def ship(seller, order):
    return services.order_ship(
        seller=seller, order_id=order.pk, carrier="SF Express", tracking_number="SF1234567890"
    )


@pytest.fixture
def shipped(seller, paid):
    return ship(seller, paid)


@pytest.fixture
def delivered(buyer, shipped):
    return services.order_confirm(buyer=buyer, order_id=shipped.pk)


def last_note(user) -> dict:
    return Notification.objects.filter(recipient=user, type="shop").latest("id").data


def states_of(order) -> list[tuple[str, str]]:
    return list(order.events.order_by("id").values_list("from_state", "to_state"))


def test_the_happy_path_pays_the_seller_after_the_refund_window(buyer, seller, delivered):
    assert delivered.state == "delivered" and delivered.delivered_at is not None
    assert last_note(seller)["event"] == "order_delivered"
    assert services.orders_complete_due() == 0  # the window is open
    assert balance_of(seller) == 0 and escrow_balance() == 17_600
    with time_machine.travel(timezone.now() + 7 * DAY + dt.timedelta(minutes=1)):
        assert services.orders_complete_due() == 1
        assert services.orders_complete_due() == 0  # idempotent
    order = Order.objects.get(pk=delivered.pk)
    assert order.state == "completed" and order.closed_at is not None
    assert balance_of(seller) == 17_600 and escrow_balance() == 0
    assert states_of(order) == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
        ("paid", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "completed"),
    ]
    assert last_note(seller)["event"] == "order_completed"


@override_settings(PLATFORM_FEE_PERCENT=5)
def test_the_platform_fee_is_kept_at_completion(seller, delivered):
    from storefeed.wallet.models import AccountKind, LedgerAccount

    with time_machine.travel(timezone.now() + 8 * DAY):
        services.orders_complete_due()
    order = Order.objects.get(pk=delivered.pk)
    assert order.fee_fen == 880
    assert balance_of(seller) == 17_600 - 880
    assert LedgerAccount.objects.get(kind=AccountKind.PLATFORM_FEES).balance == 880


def test_shipping_records_carrier_and_tracking_and_tells_the_buyer(buyer, shipped):
    # A known carrier, named in English, is kept by its code (shown in the reader's language).
    assert (shipped.carrier, shipped.tracking_number) == ("sf", "SF1234567890")
    note = last_note(buyer)
    assert note["event"] == "order_shipped" and note["tracking_number"] == "SF1234567890"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("顺丰速运", "sf"),
        ("jd", "jd"),
        ("China Post", "chinapost"),
        ("Best Express", "Best Express"),
    ],
)
def test_a_carrier_is_kept_by_code_when_known_and_as_typed_otherwise(seller, paid, given, kept):
    order = services.order_ship(
        seller=seller, order_id=paid.pk, carrier=given, tracking_number="AB123456"
    )
    assert order.carrier == kept


def test_shipping_an_unpaid_order_is_refused(buyer, address, tea, seller):
    order = place_one(buyer, address, tea)
    before = snapshot()
    with pytest.raises(OrderStateConflict, match="not paid yet"):
        ship(seller, order)
    assert snapshot() == before


def test_shipping_twice_or_by_someone_else_is_refused(seller, shipped, buyer, rival):
    with pytest.raises(OrderStateConflict, match="only a paid order"):
        ship(seller, shipped)
    with pytest.raises(NotFound):
        ship(rival, shipped)
    with pytest.raises(NotFound):
        ship(buyer, shipped)  # the buyer is not the seller


@pytest.mark.parametrize(
    ("carrier", "tracking", "field"),
    [
        ("", "SF123456", "carrier"),
        ("SF", "", "tracking_number"),
        ("SF", "12", "tracking_number"),
        ("SF", "<script>", "tracking_number"),
        ("x" * 61, "SF123456", "carrier"),
        ("other", "SF123456", "carrier"),
    ],
)
def test_bad_shipping_details_are_refused(seller, paid, carrier, tracking, field):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.order_ship(
            seller=seller, order_id=paid.pk, carrier=carrier, tracking_number=tracking
        )
    assert refused.value.field == field
    assert snapshot() == before


def test_confirming_an_order_that_is_not_yours_is_refused(shipped, seller, bob):
    before = snapshot()
    with pytest.raises(NotFound):
        services.order_confirm(buyer=bob, order_id=shipped.pk)
    with pytest.raises(NotFound):
        services.order_confirm(buyer=seller, order_id=shipped.pk)
    assert snapshot() == before


def test_confirming_before_shipping_is_refused(buyer, paid):
    with pytest.raises(OrderStateConflict, match="Only a shipped order"):
        services.order_confirm(buyer=buyer, order_id=paid.pk)


def test_unconfirmed_deliveries_are_confirmed_automatically(buyer, seller, shipped):
    with time_machine.travel(timezone.now() + 9 * DAY):
        assert services.orders_auto_confirm_due() == 0
    with time_machine.travel(timezone.now() + 10 * DAY + dt.timedelta(minutes=1)):
        assert services.orders_auto_confirm_due() == 1
        assert services.orders_auto_confirm_due() == 0
        order = Order.objects.get(pk=shipped.pk)
        assert order.state == "delivered"
        event = order.events.latest("id")
        assert event.actor is None and event.to_state == "delivered"
        assert last_note(buyer)["event"] == "order_delivered"


@override_settings(AUTO_CONFIRM_DAYS=3)
def test_auto_confirm_days_come_from_settings(shipped):
    with time_machine.travel(timezone.now() + 3 * DAY + dt.timedelta(minutes=1)):
        assert services.orders_auto_confirm_due() == 1


def test_the_buyer_cancels_an_unpaid_order_and_the_stock_returns(buyer, address, tea, seller):
    order = place_one(buyer, address, tea, 4)
    assert stock_of(tea) == 6
    cancelled = services.order_cancel(account=buyer, order_id=order.pk)
    assert cancelled.state == "cancelled"
    assert stock_of(tea) == 10
    assert last_note(seller)["event"] == "order_cancelled"


def test_the_buyer_cancels_a_paid_order_before_shipping_and_is_refunded(buyer, paid, tea):
    services.order_cancel(account=buyer, order_id=paid.pk, reason="Ordered twice")
    assert balance_of(buyer) == 100_000 and escrow_balance() == 0
    assert stock_of(tea) == 10
    assert Order.objects.get(pk=paid.pk).cancel_reason == "Ordered twice"


def test_the_seller_cancels_with_a_reason(buyer, seller, paid, tea):
    before = snapshot()
    with pytest.raises(ValidationFailed, match="why"):
        services.order_cancel(account=seller, order_id=paid.pk, reason="  ")
    assert snapshot() == before
    services.order_cancel(account=seller, order_id=paid.pk, reason="Out of this harvest")
    assert balance_of(buyer) == 100_000 and stock_of(tea) == 10
    note = Notification.objects.filter(recipient=buyer, type="shop").latest("id")
    assert note.data["event"] == "order_cancelled"
    assert note.shop_message == (
        f"The seller cancelled order {paid.pk}: Out of this harvest "
        f"{display(paid.total_fen, paid.currency)} is back in your wallet."
    )


def test_cancelling_after_shipping_or_by_others_is_refused(buyer, shipped, bob):
    before = snapshot()
    with pytest.raises(OrderStateConflict, match="shipped"):
        services.order_cancel(account=buyer, order_id=shipped.pk)
    with pytest.raises(NotFound):
        services.order_cancel(account=bob, order_id=shipped.pk)
    assert snapshot() == before


def test_cancelling_twice_is_refused(buyer, paid):
    services.order_cancel(account=buyer, order_id=paid.pk)
    before = snapshot()
    with pytest.raises(OrderStateConflict, match="cannot be cancelled"):
        services.order_cancel(account=buyer, order_id=paid.pk)
    assert snapshot() == before


def test_unpaid_orders_expire_and_release_their_stock(buyer, address, tea):
    order = place_one(buyer, address, tea, 3)
    assert services.orders_expire_due() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=14)):
        assert services.orders_expire_due() == 0
        assert stock_of(tea) == 7
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=15, seconds=1)):
        assert services.orders_expire_due() == 1
        assert services.orders_expire_due() == 0
        assert services.order_expire(order_id=order.pk) is False
    assert Order.objects.get(pk=order.pk).state == "expired"
    assert stock_of(tea) == 10
    assert last_note(buyer)["event"] == "order_expired"


def test_a_paid_order_never_expires(buyer, paid, tea):
    with time_machine.travel(timezone.now() + DAY):
        assert services.orders_expire_due() == 0
    assert Order.objects.get(pk=paid.pk).state == "paid"
    assert stock_of(tea) == 8


def test_the_expiry_task_and_sweep_command(buyer, address, tea):
    from django.core.management import call_command

    from storefeed.orders import tasks

    order = place_one(buyer, address, tea)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        tasks.expire_order.enqueue(order.pk)
        assert Order.objects.get(pk=order.pk).state == "expired"
        tasks.expire_due_orders.enqueue()  # nothing left to do
        tasks.auto_confirm_due_orders.enqueue()
        tasks.complete_due_orders.enqueue()
        call_command("orders_sweep")
    assert stock_of(tea) == 10


def test_a_refund_within_seven_days_accepted_comes_from_escrow(buyer, seller, delivered, tea):
    with time_machine.travel(timezone.now() + 6 * DAY):
        services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="Stale leaves")
        assert last_note(seller)["event"] == "refund_requested"
        # The window passing does not complete an order with an open refund request.
        with time_machine.travel(timezone.now() + 3 * DAY):
            assert services.orders_complete_due() == 0
        services.order_refund_accept(seller=seller, order_id=delivered.pk)
    order = Order.objects.get(pk=delivered.pk)
    assert order.state == "refunded" and order.refund_reason == "Stale leaves"
    assert balance_of(buyer) == 100_000 and balance_of(seller) == 0 and escrow_balance() == 0
    assert stock_of(tea) == 8  # delivered goods do not go back on sale
    assert last_note(buyer)["event"] == "refund_accepted"


def test_a_refund_after_seven_days_is_refused(buyer, delivered):
    with time_machine.travel(timezone.now() + 7 * DAY + dt.timedelta(minutes=1)):
        before = snapshot()
        with pytest.raises(RefundWindowClosed, match="7 days"):
            services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="Late")
        assert snapshot() == before


def test_a_refund_needs_a_reason_and_a_delivered_order(buyer, delivered, paid, bob, seller):
    with pytest.raises(ValidationFailed, match="why"):
        services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="")
    with pytest.raises(NotFound):
        services.order_refund_request(buyer=bob, order_id=delivered.pk, reason="Mine?")
    with pytest.raises(OrderStateConflict):
        services.order_refund_accept(seller=seller, order_id=delivered.pk)


def test_a_refund_before_delivery_is_refused(buyer, paid):
    with pytest.raises(OrderStateConflict, match="delivered order"):
        services.order_refund_request(buyer=buyer, order_id=paid.pk, reason="Changed my mind")


def test_declined_then_disputed_then_staff_refund(buyer, seller, delivered, staff):
    services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="Broken pot")
    with pytest.raises(ValidationFailed):
        services.order_refund_decline(seller=seller, order_id=delivered.pk, reason="")
    services.order_refund_decline(seller=seller, order_id=delivered.pk, reason="It was whole")
    assert last_note(buyer)["event"] == "refund_declined"
    services.order_dispute(buyer=buyer, order_id=delivered.pk, reason="Photo attached")
    assert last_note(seller)["event"] == "refund_disputed"
    from storefeed.orders.selectors import disputes

    assert [o.pk for o in disputes()] == [delivered.pk]
    with pytest.raises(Forbidden):
        services.order_dispute_resolve(by=seller, order_id=delivered.pk, outcome="complete")
    with pytest.raises(ValidationFailed):
        services.order_dispute_resolve(by=staff, order_id=delivered.pk, outcome="maybe")
    services.order_dispute_resolve(
        by=staff, order_id=delivered.pk, outcome="refund", note="The photo shows a crack."
    )
    order = Order.objects.get(pk=delivered.pk)
    assert order.state == "refunded"
    assert balance_of(buyer) == 100_000 and escrow_balance() == 0
    assert last_note(buyer)["event"] == "dispute_resolved"
    assert last_note(seller)["event"] == "dispute_resolved"
    assert [e[1] for e in states_of(order)][-4:] == [
        "refund_requested",
        "refund_declined",
        "disputed",
        "refunded",
    ]


def test_staff_may_let_a_disputed_order_stand(buyer, seller, delivered, staff):
    services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="Meh")
    services.order_refund_decline(seller=seller, order_id=delivered.pk, reason="As described")
    services.order_dispute(buyer=buyer, order_id=delivered.pk)
    services.order_dispute_resolve(by=staff, order_id=delivered.pk, outcome="complete")
    assert Order.objects.get(pk=delivered.pk).state == "completed"
    assert balance_of(seller) == 17_600 and escrow_balance() == 0
    with pytest.raises(OrderStateConflict, match="not disputed"):
        services.order_dispute_resolve(by=staff, order_id=delivered.pk, outcome="refund")


def test_an_undisputed_decline_completes_after_the_dispute_window(buyer, seller, delivered):
    services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="Meh")
    services.order_refund_decline(seller=seller, order_id=delivered.pk, reason="As described")
    with time_machine.travel(timezone.now() + 6 * DAY):
        assert services.orders_complete_due() == 0
    with time_machine.travel(timezone.now() + 7 * DAY + dt.timedelta(minutes=1)):
        assert services.orders_complete_due() == 1
    assert balance_of(seller) == 17_600


def test_disputing_without_a_decline_is_refused(buyer, delivered):
    with pytest.raises(OrderStateConflict, match="declined refund"):
        services.order_dispute(buyer=buyer, order_id=delivered.pk)


def test_a_refund_after_release_comes_from_the_sellers_wallet(buyer, seller, delivered, staff):
    """If escrow no longer holds the order's money (paid out), the seller's wallet refunds."""
    services.order_refund_request(buyer=buyer, order_id=delivered.pk, reason="Broken")
    from django.db import transaction

    from storefeed.wallet.services import escrow_release

    with transaction.atomic():
        escrow_release(seller=seller, amount=17_600, ref=("order", delivered.pk))
    assert balance_of(seller) == 17_600
    services.order_refund_accept(seller=seller, order_id=delivered.pk)
    assert balance_of(seller) == 0 and balance_of(buyer) == 100_000


def test_every_declared_move_works_and_every_other_is_refused(buyer, paid):
    from storefeed.orders.models import OrderState
    from storefeed.orders.states import transition

    assert set(TRANSITIONS) == set(OrderState.values)
    moved = refused = 0
    for current in OrderState.values:
        for to in OrderState.values:
            Order.objects.filter(pk=paid.pk).update(state=current)
            order = Order.objects.get(pk=paid.pk)
            if to in TRANSITIONS[current]:
                event = transition(order, to, by=buyer, note="table")
                assert (event.from_state, event.to_state) == (current, to)
                assert Order.objects.get(pk=paid.pk).state == to
                moved += 1
            else:
                with pytest.raises(OrderStateConflict):
                    transition(order, to, by=buyer)
                assert Order.objects.get(pk=paid.pk).state == current
                refused += 1
    assert (moved, refused) == (20, 169 - 20)
    # Put it back where the invariants expect a paid order's units and money.
    Order.objects.filter(pk=paid.pk).update(state="paid")


def test_a_stale_copy_cannot_move_an_order_twice(buyer, paid, seller):
    from storefeed.core.errors import Conflict
    from storefeed.orders.states import transition

    stale = Order.objects.get(pk=paid.pk)
    ship(seller, paid)
    with pytest.raises(Conflict, match="changed meanwhile"):
        transition(stale, "cancelled", by=buyer)


def test_an_inactive_account_cannot_buy(address, tea, bob):
    make_buyer(bob)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    with pytest.raises(Forbidden):
        place_one(bob, address, tea)


def test_money_is_conserved_over_many_orders(seller, tea, carol, bob):
    buyers = [make_buyer(carol, "500.00"), make_buyer(bob, "500.00")]
    from tests.orders.conftest import address_for

    for user in buyers:
        a = address_for(user)
        o1 = pay(user, place_one(user, a, tea))
        ship(seller, o1)
        services.order_confirm(buyer=user, order_id=o1.pk)
        place_one(user, a, tea)  # left unpaid
    with time_machine.travel(timezone.now() + 8 * DAY):
        counts = services.orders_sweep()
    assert counts == {"expired": 2, "confirmed": 0, "completed": 2}
    assert balance_of(seller) == 2 * 8800
    assert stock_of(tea) == 8
