"""Fixtures for promotions: a seller with money and a PIN, a product post, fans, a reader of
the field, and the ledger checked sound after every test."""

import pytest

from storefeed.catalog import services as catalog
from storefeed.discovery.models import Interest
from storefeed.sellers.selectors import seller_for
from storefeed.social.services import follow_create
from tests.shop_api.conftest import (  # noqa: F401 (fixtures)
    PIN,
    api,
    fund,
    ledger_snapshot,
    ledger_sound,
    rival,
    seller,
    staff,
)


@pytest.fixture
def rich_seller(seller):
    fund(seller, "500.00")
    return seller


@pytest.fixture
def post(rich_seller):
    tea = catalog.product_create(account=rich_seller, title="Oolong tea", price="88.00", stock=50)
    return catalog.product_post_create(account=rich_seller, text="New tea", product_ids=[tea.pk])


@pytest.fixture
def fans(seller, alice, bob):
    for fan in (alice, bob):
        follow_create(follower=fan, target=seller)
    return alice, bob


@pytest.fixture
def field_reader(seller, carol):
    Interest.objects.create(account=carol, field_id=seller_for(seller.pk).field_id)
    return carol
