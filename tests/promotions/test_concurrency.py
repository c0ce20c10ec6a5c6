"""Promotions under concurrency (PostgreSQL only: SQLite serialises every writer): stops
racing each other and the worker's charging never return money twice."""

import pytest

from storefeed.catalog import services as catalog
from storefeed.promotions import services
from storefeed.promotions.models import Placement, Promotion
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.models import LedgerTransaction
from storefeed.wallet.selectors import escrow_held, wallet_balance
from tests.conftest import make_user
from tests.shop_api.conftest import PIN, fund
from tests.wallet.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def expert_fields(transactional_db):
    # Transactional tests flush the tables, and with them the fields the migrations seeded.
    from storefeed.accounts.models import ExpertField

    ExpertField.objects.get_or_create(slug="food", defaults={"name_en": "Food", "name_zh": "美食"})


def _running(seller, budget="1.00", shown=0) -> Promotion:
    fund(seller, "100.00")
    post = catalog.product_post_create(
        account=seller,
        text="Tea",
        product_ids=[catalog.product_create(account=seller, title="Tea", price="9.00").pk],
    )
    services.promotion_create(
        seller=seller,
        status_id=post.pk,
        budget=budget,
        audience="followers",
        pin=PIN,
        idempotency_key="race",
    )
    promotion = Promotion.objects.get()
    owners = [make_user(f"fan{n}").pk for n in range(shown)]
    Placement.objects.bulk_create(
        [Placement(promotion=promotion, owner_id=o, shown_at=promotion.created_at) for o in owners]
    )
    return promotion


def test_two_stops_at_once_return_the_rest_once(seller):
    promotion = _running(seller, budget="1.00", shown=50)  # 50 shown: 25 fen
    before = wallet_balance(account=seller)
    results, errors = run_together(
        [lambda: services.promotion_stop(promotion_id=promotion.pk, by=seller) for _ in range(4)]
    )
    assert errors == []
    assert all(r.state == "stopped" for r in results)
    promotion.refresh_from_db()
    assert promotion.spent_fen == 25
    assert wallet_balance(account=seller) == before + 75
    assert escrow_held(ref=("promotion", promotion.pk)) == 0
    refunds = LedgerTransaction.objects.filter(
        ref_type="promotion", ref_id=str(promotion.pk), kind="refund"
    )
    assert refunds.count() == 1
    assert ledger_problems() == []


def test_stops_racing_the_workers_charge_never_pay_twice(seller):
    promotion = _running(seller, budget="1.00", shown=100)  # 100 shown: 50 fen
    before = wallet_balance(account=seller)
    jobs = [
        lambda: services.promotion_settle(promotion_id=promotion.pk),
        lambda: services.promotion_stop(promotion_id=promotion.pk, by=seller),
        lambda: services.promotion_settle(promotion_id=promotion.pk),
        lambda: services.promotion_stop(promotion_id=promotion.pk, by=seller),
    ]
    _results, errors = run_together(jobs)
    assert errors == []
    promotion.refresh_from_db()
    assert promotion.state == "stopped"
    assert promotion.spent_fen == 50
    assert wallet_balance(account=seller) == before + 50
    assert escrow_held(ref=("promotion", promotion.pk)) == 0
    assert ledger_problems() == []
