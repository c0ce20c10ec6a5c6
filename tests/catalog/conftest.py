"""Fixtures for the catalog: sellers (approved through the services), products, items."""

from types import SimpleNamespace

import pytest

from storefeed.catalog import services
from storefeed.catalog.models import ExternalItem
from storefeed.catalog.services import items as item_services
from tests.posts.conftest import image_file
from tests.sellers.conftest import make_seller, seller, staff  # noqa: F401 (fixtures)


@pytest.fixture
def rival(staff):
    return make_seller("rivalshop", staff)


@pytest.fixture
def make_image():
    return image_file


@pytest.fixture
def make_product(seller):
    def _make(title: str = "Oolong tea", price: str = "88.00", stock: int = 12, account=None):
        return services.product_create(
            account=account or seller, title=title, price=price, stock=stock
        )

    return _make


def item_data(**changes) -> SimpleNamespace:
    """What the importer returns for a page (ItemData's fields)."""
    data = {
        "source": "tmall",
        "item_id": "6123456789",
        "url": "https://detail.tmall.com/item.htm?id=6123456789",
        "title": "Tmall teapot",
        "description": "Yixing clay",
        "image_url": "https://img.example.com/teapot.jpg",
        "price_fen": 25900,
        "currency": "CNY",
        "availability": "in_stock",
    }
    data.update(changes)
    return SimpleNamespace(**data)


@pytest.fixture
def fake_importer(monkeypatch):
    """Replace the network side of the importer: `pages[text]` is ItemData or an exception."""
    pages: dict[str, object] = {}
    calls: list[str] = []

    def fetch(text):
        calls.append(text)
        result = pages.get(text)
        if result is None:
            raise services.ItemUnreadable(
                "We could not reach that page.", field="url", manual=True, reason="unreachable"
            )
        if isinstance(result, Exception):
            raise result
        return result

    def recognise(text):
        result = pages.get(text)
        if isinstance(result, SimpleNamespace):
            return (result.source, result.item_id, result.url)
        return None

    # Patched where they are used: the third-party items module.
    monkeypatch.setattr(item_services, "_fetch", fetch)
    monkeypatch.setattr(item_services, "_recognise", recognise)
    return SimpleNamespace(pages=pages, calls=calls)


@pytest.fixture
def tmall_item(seller, fake_importer) -> ExternalItem:
    text = "https://detail.tmall.com/item.htm?id=6123456789"
    fake_importer.pages[text] = item_data()
    return services.external_item_resolve(account=seller, text=text)
