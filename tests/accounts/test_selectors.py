"""Finding accounts."""

import pytest

from storefeed.accounts.models import User
from storefeed.accounts.selectors import account_by_username, account_search, expert_fields
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_account_by_username_ignores_case_and_at(alice):
    assert account_by_username("ALICE") == alice
    assert account_by_username("@alice") == alice
    assert account_by_username("nobody") is None
    assert account_by_username("") is None


def test_inactive_accounts_are_not_found(alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert account_by_username("alice") is None


def test_account_search_ranks_exact_then_prefix_then_followers(db):
    make_user("ann")
    make_user("anna", followers_count=5)
    make_user("annabel", followers_count=50)
    make_user("joanne", display_name="Jo Ann")
    make_user("zed", display_name="Zed")
    names = [u.username for u in account_search(query="ann")]
    assert names == ["ann", "annabel", "anna", "joanne"]
    assert [u.username for u in account_search(query="@ANN", limit=1)] == ["ann"]
    assert account_search(query="  ") == []


def test_account_search_finds_chinese_display_names(db):
    make_user("meilin", display_name="美琳的厨房")
    assert [u.username for u in account_search(query="厨房")] == ["meilin"]


def test_expert_fields_in_order():
    assert [f.slug for f in expert_fields()][:2] == ["beauty", "fashion"]
