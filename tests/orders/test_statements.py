"""Checkout stays lean: placing, paying and buying now each send a fixed number of
statements in one transaction (one commit), whatever was checked out before. The counts are
exact so that a new query on the hot path shows up here; each is listed in the comment. On
PostgreSQL the writes after the last read go in one round trip (`core.sql.batch`), hot rows
last; those round trips are counted too."""

from storefeed.orders import services
from tests.orders.conftest import PIN, key, pay, place_one
from tests.orders.statements import round_trips, statements


def warm_up(buyer, address, product) -> None:
    """One paid checkout first: the escrow and wallet accounts exist from then on."""
    pay(buyer, place_one(buyer, address, product))


def test_placing_an_order_is_seven_statements_in_one_transaction(buyer, address, tea):
    warm_up(buyer, address, tea)
    with statements() as sent:
        place_one(buyer, address, tea)
    # address, product (with its seller); INSERT order, items, events; UPDATE stock, then
    # the product's search row (in stock or not: it writes only when the stock emptied).
    assert (len(sent.work), sent.transactions) == (7, 1), sent
    assert sent.work[-2].startswith('UPDATE "catalog_product"')  # the hot row
    assert sent.work[-1].startswith('/* may change no row */ UPDATE "catalog_productsearch"')
    round_trips(sent, 3)  # address, product, then the writes together


def test_placing_with_an_idempotency_key_adds_its_claim_and_answer_in_the_same_commit(
    buyer, address, tea
):
    warm_up(buyer, address, tea)
    with statements() as sent:
        services.order_place(
            buyer=buyer, items=[(tea.pk, None, 1)], address_id=address.pk, idempotency_key=key()
        )
    assert (len(sent.work), sent.transactions) == (9, 1), sent
    round_trips(sent, 4)


def test_paying_is_twelve_statements_in_one_transaction(buyer, address, tea):
    warm_up(buyer, address, tea)
    order = place_one(buyer, address, tea)
    with statements() as sent:
        pay(buyer, order)
    # INSERT key; order (locked); PIN (locked); UPDATE order, INSERT event, notification;
    # UPDATE key (the answer); ledger accounts; INSERT transaction, entries; UPDATE the
    # two balances (escrow, one row for every payment, last).
    assert (len(sent.work), sent.transactions) == (12, 1), sent
    assert all(s.startswith('UPDATE "wallet_ledgeraccount"') for s in sent.work[-2:])
    round_trips(sent, 5)  # key, order, PIN, ledger accounts, then the writes together


def test_buying_now_is_sixteen_statements_in_one_transaction(buyer, address, tea):
    warm_up(buyer, address, tea)
    with statements() as sent:
        services.order_buy(
            buyer=buyer, product_id=tea.pk, address_id=address.pk, pin=PIN, idempotency_key=key()
        )
    # address, product; INSERT key; PIN; INSERT order, item, events, notification; UPDATE
    # key; ledger accounts; INSERT transaction, entries; then the hot rows: stock (and the
    # product's search row after it), balances.
    assert (len(sent.work), sent.transactions) == (16, 1), sent
    assert sent.work[-4].startswith('UPDATE "catalog_product"')
    assert sent.work[-3].startswith('/* may change no row */ UPDATE "catalog_productsearch"')
    round_trips(sent, 6)  # address, product, key, PIN, ledger accounts, the writes


def test_a_right_pin_of_the_former_kind_costs_one_more_statement_once(buyer, address, tea):
    from storefeed.wallet.models import PaymentPin
    from storefeed.wallet.pins import PinHasher

    warm_up(buyer, address, tea)
    PaymentPin.objects.filter(account=buyer).update(
        pin_hash=PinHasher().encode(PIN, PinHasher().salt())
    )
    order = place_one(buyer, address, tea)
    with statements() as upgraded:
        pay(buyer, order)
    # The PIN's row is rewritten with the keyed hash, inside a savepoint kept if paying fails.
    assert (len(upgraded.work), upgraded.transactions) == (13, 2), upgraded
    assert PaymentPin.objects.get(account=buyer).pin_hash.startswith("hmac_sha256_pin$")
    order = place_one(buyer, address, tea)
    with statements() as sent:
        pay(buyer, order)
    assert (len(sent.work), sent.transactions) == (12, 1), sent
