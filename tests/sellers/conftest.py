"""Fixtures for the seller program: staff, eligible applicants, approved sellers."""

import pytest

from storefeed.accounts.models import User
from storefeed.sellers import services
from tests.conftest import make_user

APPLICATION = {
    "shop_name": "Alice's Tea House",
    "field": "food",
    "sells": "Loose-leaf oolong and pu'er from Fujian.",
    "contact_phone": "138 0013 8000",
    "real_name": "Li Ai",
    "id_number": "11010519491231002x",
    "agreed": True,
}


def with_followers(user: User, count: int) -> User:
    User.objects.filter(pk=user.pk).update(followers_count=count)
    user.refresh_from_db()
    return user


def make_seller(username: str, staff: User, **application) -> User:
    """An approved, active seller (applied and approved through the services)."""
    user = with_followers(make_user(username), 1000)
    submitted = services.seller_application_submit(
        account=user, **{**APPLICATION, "shop_name": f"{username}'s shop", **application}
    )
    services.seller_application_approve(application_id=submitted.pk, by=staff)
    return user


@pytest.fixture
def staff(db):
    return make_user("staffer", is_staff=True)


@pytest.fixture
def applicant(alice):
    return with_followers(alice, 1000)


@pytest.fixture
def seller(staff):
    return make_seller("teashop", staff)
