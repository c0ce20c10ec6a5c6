"""Shops are found by their names wherever people are searched (the accounts' index gets the
shop's name from sellers when the shop opens)."""

import pytest
from django.test import Client

from storefeed.accounts.selectors import account_search
from tests.sellers.conftest import make_seller

pytestmark = pytest.mark.django_db


def test_a_shop_is_found_by_its_name(staff):
    shop = make_seller("xiaomei", staff, shop_name="小美口红铺 Velvet Lips")
    make_seller("other", staff, shop_name="茶叶店")
    assert [u.pk for u in account_search(query="口红铺")] == [shop.pk]
    assert [u.pk for u in account_search(query="velvet")] == [shop.pk]
    page = Client().get("/search", {"q": "口红铺", "tab": "people"})
    assert page.status_code == 200 and "@xiaomei" in page.content.decode()
    assert "@other" not in page.content.decode()
