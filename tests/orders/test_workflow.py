"""The order workflow, walked: every action from every state, through the shop API and the web
page, which must agree with each other and with the table below (written out by hand, so it
checks the declaration in orders/workflow.py rather than repeating it). An action offered is
taken; an action not offered is refused with a message and changes nothing."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.catalog import services as catalog
from storefeed.orders import services, workflow
from storefeed.orders.models import Order
from storefeed.orders.states import TRANSITIONS
from tests.conftest import make_user
from tests.orders.conftest import PIN, address_for, key, make_buyer, pay, place_one, snapshot
from tests.shop_api.conftest import ShopApi

pytestmark = pytest.mark.django_db

# state -> what the buyer, the seller and staff may do.
EXPECTED = {
    "pending_payment": {"buyer": ["pay", "cancel"], "seller": ["cancel"], "staff": []},
    "paid": {"buyer": ["cancel"], "seller": ["ship", "cancel"], "staff": []},
    # A parcel in transit can be refunded without first confirming receipt.
    "shipped": {"buyer": ["confirm", "refund_request"], "seller": [], "staff": []},
    "delivered": {"buyer": ["refund_request"], "seller": [], "staff": []},
    "late_delivered": {"buyer": [], "seller": [], "staff": []},  # the refund window closed
    "refund_requested": {  # of a delivered order: the seller may ask for the goods back
        "buyer": [],
        "seller": ["refund_accept", "refund_decline", "return_request"],
        "staff": [],
    },
    "transit_refund_requested": {  # of a parcel that never arrived: nothing to send back
        "buyer": [],
        "seller": ["refund_accept", "refund_decline"],
        "staff": [],
    },
    "return_requested": {"buyer": ["return_ship"], "seller": [], "staff": []},
    "return_shipped": {"buyer": [], "seller": ["refund_decline", "return_receive"], "staff": []},
    "refund_declined": {"buyer": ["dispute"], "seller": [], "staff": []},
    "disputed": {"buyer": [], "seller": [], "staff": ["resolve"]},
    "refunded": {"buyer": [], "seller": [], "staff": []},
    "completed": {"buyer": [], "seller": [], "staff": []},
    "cancelled": {"buyer": [], "seller": [], "staff": []},
    "expired": {"buyer": [], "seller": [], "staff": []},
}
ATTEMPTS = [  # (action, who tries it)
    ("pay", "buyer"),
    ("ship", "seller"),
    ("confirm", "buyer"),
    ("refund_request", "buyer"),
    ("refund_accept", "seller"),
    ("refund_decline", "seller"),
    ("return_request", "seller"),
    ("return_ship", "buyer"),
    ("return_receive", "seller"),
    ("dispute", "buyer"),
    ("cancel", "buyer"),
    ("cancel", "seller"),
    ("resolve", "staff"),
]
FORM = {
    "pay": {"pin": PIN},
    "ship": {"carrier": "sf", "tracking_number": "SF12345678"},
    "refund_request": {"reason": "It never came"},
    "refund_decline": {"reason": "It was delivered"},
    "dispute": {"reason": "Look at the photos"},
    "cancel": {"reason": "Changed plans"},
    "resolve": {"outcome": "refund"},
    "return_ship": {"carrier": "sf", "tracking_number": "SF87654321"},
    "return_receive": {"restock": True},
}


@pytest.fixture
def parties(seller, staff):
    buyer = make_buyer(make_user("fan"))
    tea = catalog.product_create(account=seller, title="Tea sample", price="1.00", stock=1000)
    return {
        "buyer": buyer,
        "seller": seller,
        "staff": staff,
        "address": address_for(buyer),
        "product": tea,
    }


def order_in(state: str, p: dict) -> Order:
    """An order of `p`'s buyer brought to `state` through the services."""
    buyer, seller = p["buyer"], p["seller"]
    order = place_one(buyer, p["address"], p["product"])
    if state == "pending_payment":
        return order
    if state == "expired":
        with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
            services.orders_expire_due()
        return Order.objects.get(pk=order.pk)
    if state == "cancelled":
        return services.order_cancel(account=buyer, order_id=order.pk)
    pay(buyer, order)
    steps = [
        (
            "shipped",
            lambda: services.order_ship(
                seller=seller, order_id=order.pk, carrier="sf", tracking_number="SF12345678"
            ),
        ),
        ("delivered", lambda: services.order_confirm(buyer=buyer, order_id=order.pk)),
    ]
    if state == "paid":
        return Order.objects.get(pk=order.pk)
    if state == "transit_refund_requested":
        steps[0][1]()
        services.order_refund_request(buyer=buyer, order_id=order.pk, reason="Never came")
        return Order.objects.get(pk=order.pk)
    for name, step in steps:
        step()
        if state == name:
            return Order.objects.get(pk=order.pk)
    if state in ("late_delivered", "completed"):
        with time_machine.travel(timezone.now() + workflow.REFUND_WINDOW + dt.timedelta(hours=1)):
            if state == "completed":
                services.orders_complete_due()
            return Order.objects.get(pk=order.pk)
    services.order_refund_request(buyer=buyer, order_id=order.pk, reason="Broken")
    if state == "refund_requested":
        return Order.objects.get(pk=order.pk)
    if state in ("return_requested", "return_shipped"):
        services.order_return_request(seller=seller, order_id=order.pk)
        if state == "return_shipped":
            services.order_return_ship(
                buyer=buyer, order_id=order.pk, carrier="sf", tracking_number="SF87654321"
            )
        return Order.objects.get(pk=order.pk)
    if state == "refunded":
        return services.order_refund_accept(seller=seller, order_id=order.pk)
    services.order_refund_decline(seller=seller, order_id=order.pk, reason="It was whole")
    if state == "refund_declined":
        return Order.objects.get(pk=order.pk)
    return services.order_dispute(buyer=buyer, order_id=order.pk, reason="Photos")


def later(state: str):
    """The clock at which the order is looked at (after the window for late_delivered)."""
    if state == "late_delivered":
        return time_machine.travel(timezone.now() + workflow.REFUND_WINDOW + dt.timedelta(hours=1))
    return time_machine.travel(timezone.now())


@pytest.mark.parametrize("state", list(EXPECTED))
def test_the_declaration_offers_what_the_table_says(state, parties):
    order = order_in(state, parties)
    with later(state):
        for role, expected in EXPECTED[state].items():
            assert workflow.available(order, role) == expected, (state, role)


@pytest.mark.parametrize("state", list(EXPECTED))
def test_every_action_from_every_state_through_the_shop_api(state, parties):
    apis = {role: ShopApi(parties[role]) for role in ("buyer", "seller", "staff")}
    for api in apis.values():  # still valid after the refund window
        api.token.expires = timezone.now() + dt.timedelta(days=30)
        api.token.save(update_fields=["expires"])
    for role in ("buyer", "seller"):
        order = order_in(state, parties)
        with later(state):
            shown = apis[role].get(f"/orders/{order.pk}").json()["actions"]
        assert shown == EXPECTED[state][role], (state, role)
    for action, role in ATTEMPTS:
        order = order_in(state, parties)
        path = (
            f"/admin/orders/{order.pk}/resolve"
            if action == "resolve"
            else f"/orders/{order.pk}/{action}"
        )
        before = snapshot()
        with later(state):
            response = apis[role].post(path, FORM.get(action, {}), key=key())
        if action in EXPECTED[state][role]:
            assert response.status_code == 200, (state, action, role, response.content)
            assert Order.objects.get(pk=order.pk).state != order.state
        else:
            assert response.status_code in (404, 409), (state, action, role, response.content)
            assert response.json()["error"], (state, action, role)
            assert snapshot() == before, (state, action, role)


@pytest.mark.parametrize("state", list(EXPECTED))
def test_every_action_from_every_state_through_the_web_page(state, parties, client_for):
    clients = {role: client_for(parties[role]) for role in ("buyer", "seller", "staff")}
    for role in ("buyer", "seller"):
        order = order_in(state, parties)
        with later(state):
            page = clients[role].get(f"/orders/{order.pk}").content.decode()
        offered = [
            action
            for action, _ in ATTEMPTS
            if f'data-testid="{"pay-form" if action == "pay" else action}"' in page
            and action != "ship"
        ] + (["ship"] if 'data-testid="ship-form"' in page else [])
        expected = EXPECTED[state][role]
        assert sorted(set(offered)) == sorted(expected), (state, role)
    for action, role in ATTEMPTS:
        order = order_in(state, parties)
        path = (
            f"/staff/disputes/{order.pk}/refund"
            if action == "resolve"
            else f"/orders/{order.pk}/{action}"
        )
        before = snapshot()
        with later(state):
            response = clients[role].post(path, FORM.get(action, {}), follow=True)
        body = response.content.decode()
        if action in EXPECTED[state][role]:
            assert Order.objects.get(pk=order.pk).state != order.state, (state, action, role)
            if action != "resolve":
                assert str(workflow.BY_NAME[action].done) in body, (state, action, role)
        else:
            # Refused with a message on the page (404 for an order that is not theirs).
            assert response.status_code in (200, 404), (state, action, role)
            if response.status_code == 200:
                assert 'class="flash flash-error"' in body, (state, action, role)
            assert snapshot() == before, (state, action, role)


def test_every_declared_action_is_a_legal_move():
    for action in workflow.ACTIONS:
        for source in action.sources:
            assert action.target in TRANSITIONS[source], (action.name, source)
