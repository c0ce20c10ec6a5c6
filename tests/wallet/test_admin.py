"""Staff see the ledger and the wallet's records in the admin, read-only: money never moves
by editing a row."""

import pytest

from storefeed.wallet.models import LedgerTransaction, PaymentPin
from storefeed.wallet.services import pin_set
from tests.conftest import make_user
from tests.wallet.conftest import fund


@pytest.fixture
def staff_client(db, client_for):
    return client_for(make_user("boss", is_staff=True, is_superuser=True))


@pytest.mark.parametrize(
    "model", ["ledgeraccount", "ledgertransaction", "topup", "withdrawal", "paymentpin"]
)
def test_staff_see_each_list_without_add_or_delete(staff_client, alice, model):
    fund(alice, "12.34")
    pin_set(account=alice, pin="258036", password="correct-horse-9")
    response = staff_client.get(f"/admin/wallet/{model}/")
    assert response.status_code == 200
    assert f"/admin/wallet/{model}/add/" not in response.content.decode()
    assert staff_client.get(f"/admin/wallet/{model}/add/").status_code == 403


def test_a_transaction_page_shows_its_entries_and_no_pin_hash_anywhere(staff_client, alice):
    fund(alice, "12.34")
    pin_set(account=alice, pin="258036", password="correct-horse-9")
    record = LedgerTransaction.objects.get()
    page = staff_client.get(f"/admin/wallet/ledgertransaction/{record.pk}/change/")
    assert page.status_code == 200
    assert "-1234" in page.content.decode()
    pin_page = staff_client.get(f"/admin/wallet/paymentpin/{alice.pk}/change/").content.decode()
    assert PaymentPin.objects.get().pin_hash not in pin_page
    # A POST to the read-only page changes nothing.
    staff_client.post(f"/admin/wallet/ledgertransaction/{record.pk}/change/", {"memo": "x"})
    assert LedgerTransaction.objects.get().memo == record.memo
