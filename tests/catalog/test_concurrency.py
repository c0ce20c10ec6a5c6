"""Racing buyers on PostgreSQL: stock_take never oversells, whatever the interleaving."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from storefeed.catalog import services
from storefeed.catalog.models import Product, Variant
from storefeed.sellers import services as sellers
from storefeed.sellers.models import SellerDecision
from tests.conftest import make_user
from tests.sellers.conftest import APPLICATION, with_followers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def food_field(db):
    # Transactional tests flush the tables, the fields seeded by a migration included.
    from storefeed.accounts.models import ExpertField

    ExpertField.objects.get_or_create(slug="food", defaults={"name_en": "Food", "name_zh": "美食"})


def race(n: int, work) -> list[object]:
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def take(product_id: int, variant_id: int | None = None) -> bool:
    with transaction.atomic():
        return services.stock_take(product_id=product_id, variant_id=variant_id, quantity=1)


def test_thirty_buyers_for_ten_units_take_exactly_ten(staff):
    from tests.sellers.conftest import make_seller

    seller = make_seller("flash", staff)
    product = services.product_create(account=seller, title="Viral tea", price="9.90", stock=10)
    shirt = services.product_create(
        account=seller, title="Shirt", variants=[{"name": "M", "price": "59", "stock": 5}]
    )
    variant = shirt.variants.get()
    results = race(30, lambda i: take(product.pk))
    assert results.count(True) == 10
    assert results.count(False) == 20
    assert Product.objects.get(pk=product.pk).stock == 0
    results = race(20, lambda i: take(shirt.pk, variant.pk))
    assert results.count(True) == 5
    assert Variant.objects.get(pk=variant.pk).stock == 0


def test_two_staff_approving_at_once_make_one_seller(staff):
    other_staff = make_user("staff2", is_staff=True)
    applicant = with_followers(make_user("hopeful"), 1000)
    application = sellers.seller_application_submit(account=applicant, **APPLICATION)
    deciders = [staff, other_staff]
    results = race(
        2,
        lambda i: sellers.seller_application_approve(application_id=application.pk, by=deciders[i]),
    )
    assert sum(1 for r in results if isinstance(r, Exception)) == 1
    assert SellerDecision.objects.filter(action="approve").count() == 1
