"""Fixtures for the insight: a seller's product post, buyers with money, browsers that say
who they are (a page without a User-Agent counts nothing: no browser sends none)."""

import pytest
from django.test import Client

from storefeed.catalog import services as catalog
from storefeed.insights.rollup import insights_rollup
from storefeed.social.services import follow_create
from tests.catalog.conftest import fake_importer, tmall_item  # noqa: F401 (fixtures)
from tests.orders.conftest import PIN, address_for, make_buyer  # noqa: F401
from tests.sellers.conftest import make_seller, seller, staff  # noqa: F401 (fixtures)

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36"


def browser(user=None, agent: str = BROWSER) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def tea(seller):
    return catalog.product_create(account=seller, title="Oolong tea", price="88.00", stock=50)


@pytest.fixture
def shirt(seller):
    return catalog.product_create(
        account=seller,
        title="Shirt",
        variants=[
            {"name": "M", "price": "59.00", "stock": 5},
            {"name": "L", "price": "69.00", "stock": 5},
        ],
    )


@pytest.fixture
def post(seller, tea, shirt):
    return catalog.product_post_create(
        account=seller, text="New tea and shirts", product_ids=[tea.pk, shirt.pk]
    )


@pytest.fixture
def fans(seller, alice, bob, carol):
    for fan in (alice, bob, carol):
        follow_create(follower=fan, target=seller)
    return alice, bob, carol


@pytest.fixture
def buyer(alice):
    make_buyer(alice, "1000.00")
    address_for(alice)
    return alice


def rolled() -> dict[str, int]:
    return insights_rollup()


@pytest.fixture(autouse=True)
def _nothing_pending():
    """Impressions a test left in this process's memory are dropped, not written at exit
    (after the test database is gone)."""
    from storefeed.insights import counting

    yield
    with counting._Pending.lock:
        counting._Pending.pages = []
