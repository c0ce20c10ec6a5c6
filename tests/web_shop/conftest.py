"""Fixtures for the commerce pages: staff, sellers approved through the services, products,
a faked importer (no network), signed-in clients."""

import pytest

from storefeed.catalog import services as catalog_services
from tests.catalog.conftest import fake_importer, item_data, rival, tmall_item  # noqa: F401
from tests.sellers.conftest import applicant, make_seller, seller, staff, with_followers  # noqa: F401
from tests.web.conftest import HTMX, image_upload  # noqa: F401


@pytest.fixture
def make_product(seller):
    def _make(title: str = "Oolong tea", price: str = "88.00", stock: int = 12, account=None, **kw):
        return catalog_services.product_create(
            account=account or seller, title=title, price=price, stock=stock, **kw
        )

    return _make


@pytest.fixture
def seller_client(seller, client_for):
    return client_for(seller)


@pytest.fixture
def staff_client(staff, client_for):
    return client_for(staff)


@pytest.fixture
def alice_client(alice, client_for):
    return client_for(alice)


@pytest.fixture
def bob_client(bob, client_for):
    return client_for(bob)


def page_errors(response) -> str:
    """Every message a page shows: form errors and flashed messages."""
    from django import forms

    context = response.context or {}
    parts = []
    for name in ("form", "topup_form", "withdraw_form"):
        form = context.get(name)
        if isinstance(form, forms.Form) and form.is_bound:
            parts += [str(e) for errs in form.errors.values() for e in errs]
    parts += [str(m) for m in context.get("messages", [])]
    return " ".join(parts)
