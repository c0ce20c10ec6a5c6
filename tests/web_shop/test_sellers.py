"""The seller program's pages: eligibility shown, applying, its status, and the staff queue
(approve, reject with a reason, suspend and reinstate) for staff only."""

import pytest

from storefeed.sellers.models import PersonalDataView, Seller, SellerApplication, SellerDecision
from tests.conftest import make_user
from tests.sellers.conftest import APPLICATION
from tests.web_shop.conftest import page_errors

pytestmark = pytest.mark.django_db

FORM = {**APPLICATION, "agreed": "on"}


def test_under_the_threshold_the_page_says_how_many_followers_and_hides_the_form(
    alice, alice_client
):
    response = alice_client.get("/seller/apply")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-eligible="false"' in body
    # Said once, with the number still to go.
    assert body.count("You have 0 followers") == 1
    assert "the seller program needs at least 1,000. 1,000 to go." in body
    assert 'data-testid="apply-form"' not in body


def test_under_the_threshold_a_forced_post_is_refused_and_nothing_saved(alice, alice_client):
    response = alice_client.post("/seller/apply", FORM)
    assert response.status_code == 400
    assert "needs at least 1,000" in page_errors(response)
    assert not SellerApplication.objects.exists()


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/seller/apply")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_an_eligible_account_applies_and_sees_it_waiting_with_the_id_masked(
    applicant, alice_client
):
    page = alice_client.get("/seller/apply").content.decode()
    assert 'data-eligible="true"' in page
    assert 'data-testid="apply-form"' in page
    response = alice_client.post("/seller/apply", FORM)
    assert response.status_code == 302
    application = SellerApplication.objects.get(account=applicant)
    assert application.state == "pending"
    assert application.shop_name == APPLICATION["shop_name"]
    page = alice_client.get("/seller/apply").content.decode()
    assert 'data-state="pending"' in page
    assert application.masked_id_number in page
    assert APPLICATION["id_number"].upper() not in page
    assert 'data-testid="apply-form"' not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shop_name": ""}, "This field is required"),
        ({"field": "nonsense"}, "Select a valid choice"),
        ({"contact_phone": "call me"}, "phone number"),
        ({"id_number": "!!"}, "ID number"),
        ({"agreed": ""}, "agree to the seller rules"),
    ],
)
def test_bad_applications_are_refused_on_their_field(applicant, alice_client, change, message):
    response = alice_client.post("/seller/apply", {**FORM, **change})
    assert response.status_code == 400
    assert message in page_errors(response)
    assert not SellerApplication.objects.exists()


def test_html_in_the_application_is_kept_as_text(applicant, alice_client, staff_client):
    alice_client.post("/seller/apply", {**FORM, "shop_name": "<b>Tea</b><script>x()</script>"})
    body = staff_client.get("/staff/sellers").content.decode()
    assert "<script>x()" not in body


def test_the_queue_is_for_staff_only(applicant, alice_client, bob_client, client):
    alice_client.post("/seller/apply", FORM)
    application = SellerApplication.objects.get()
    assert bob_client.get("/staff/sellers").status_code == 403
    assert (
        bob_client.post(f"/staff/sellers/applications/{application.pk}/approve").status_code == 403
    )
    assert client.get("/staff/sellers").status_code == 302
    application.refresh_from_db()
    assert application.state == "pending"
    assert not Seller.objects.exists()


def test_staff_see_personal_data_masked_until_they_say_why(
    applicant, alice_client, staff, staff_client, client_for
):
    alice_client.post("/seller/apply", FORM)
    application = SellerApplication.objects.get()
    queue = staff_client.get("/staff/sellers").content.decode()
    assert application.id_number not in queue and application.masked_id_number in queue
    assert application.contact_phone not in queue
    reveal = f"/staff/sellers/applications/{application.pk}/reveal"
    nameless = staff_client.post(reveal, {"reason": ""}, follow=True).content.decode()
    assert "Say why you need to see" in nameless and application.id_number not in nameless
    assert not PersonalDataView.objects.exists()
    shown = staff_client.post(reveal, {"reason": "Licence check"}, follow=True).content.decode()
    assert application.id_number in shown and "Licence check" in shown
    assert PersonalDataView.objects.get().by == staff
    # Another staff member still sees it masked, and sees who looked and why.
    other = client_for(make_user("staff2", is_staff=True)).get("/staff/sellers").content.decode()
    assert application.id_number not in other and "@staffer — Licence check" in other
    assert alice_client.post(reveal, {"reason": "me"}).status_code == 403


def test_staff_approve(applicant, alice_client, staff, staff_client):
    alice_client.post("/seller/apply", FORM)
    application = SellerApplication.objects.get()
    queue = staff_client.get("/staff/sellers").content.decode()
    assert f'data-id="{application.pk}"' in queue
    response = staff_client.post(f"/staff/sellers/applications/{application.pk}/approve")
    assert response.status_code == 302
    seller = Seller.objects.get(account=applicant)
    assert seller.state == "active"
    assert SellerDecision.objects.get(account=applicant).by == staff
    status = alice_client.get("/seller/apply").content.decode()
    assert 'data-testid="seller-status" data-state="active"' in status
    # Deciding twice is refused with a message.
    again = staff_client.post(f"/staff/sellers/applications/{application.pk}/approve", follow=True)
    assert "cannot go from" in again.content.decode()
    assert Seller.objects.count() == 1


def test_a_rejection_needs_a_reason_and_the_applicant_reads_it_and_may_apply_again(
    applicant, alice_client, staff_client
):
    alice_client.post("/seller/apply", FORM)
    application = SellerApplication.objects.get()
    refused = staff_client.post(
        f"/staff/sellers/applications/{application.pk}/reject", {"reason": ""}, follow=True
    )
    assert "Give a reason" in refused.content.decode()
    application.refresh_from_db()
    assert application.state == "pending"
    staff_client.post(
        f"/staff/sellers/applications/{application.pk}/reject",
        {"reason": "Show us where the tea comes from."},
    )
    application.refresh_from_db()
    assert application.state == "rejected"
    page = alice_client.get("/seller/apply").content.decode()
    assert "Show us where the tea comes from." in page
    assert 'data-testid="apply-form"' in page
    assert alice_client.post("/seller/apply", FORM).status_code == 302
    assert SellerApplication.objects.filter(state="pending").count() == 1


def test_unknown_applications_are_404(staff_client):
    assert staff_client.post("/staff/sellers/applications/123/approve").status_code == 404


def test_staff_suspend_and_reinstate_with_a_reason(
    seller, seller_client, staff_client, make_product
):
    product = make_product()
    listing = staff_client.get("/staff/sellers?state=sellers&q=teashop").content.decode()
    assert 'data-username="teashop"' in listing
    refused = staff_client.post(f"/staff/sellers/{seller.pk}/suspend", {"reason": " "}, follow=True)
    assert "Give a reason" in refused.content.decode()
    assert Seller.objects.get(account=seller).state == "active"
    staff_client.post(f"/staff/sellers/{seller.pk}/suspend", {"reason": "Fake tea"})
    assert Seller.objects.get(account=seller).state == "suspended"
    page = seller_client.get(f"/products/{product.pk}").content.decode()
    assert "seller suspended" in page
    assert 'data-testid="buy-form"' not in page
    assert "Fake tea" in seller_client.get("/seller/apply").content.decode()
    staff_client.post(f"/staff/sellers/{seller.pk}/reinstate", {"reason": "Checked"})
    assert Seller.objects.get(account=seller).state == "active"


def test_a_seller_cannot_suspend_anyone(seller, rival, seller_client):
    assert (
        seller_client.post(f"/staff/sellers/{rival.pk}/suspend", {"reason": "x"}).status_code == 403
    )
    assert Seller.objects.get(account=rival).state == "active"


def test_the_decision_arrives_as_a_notification_with_a_link(applicant, alice_client, staff_client):
    alice_client.post("/seller/apply", FORM)
    application = SellerApplication.objects.get()
    staff_client.post(f"/staff/sellers/applications/{application.pk}/approve")
    body = alice_client.get("/notifications").content.decode()
    assert 'data-testid="shop-message"' in body
    assert 'href="/seller/apply"' in body
    assert "was approved" in body


def test_odd_input_on_staff_and_shop_pages_is_never_a_500(seller, staff_client, make_product):
    """A NUL in the staff search (PostgreSQL refuses it) and Unicode digits or 2^63 in ids
    (which str.isdigit() let through to int()) answer like any other unknown input."""
    listing = staff_client.get("/staff/sellers?state=sellers&q=tea%00shop")
    assert listing.status_code == 200
    for bad in ["²", "①", "٣", str(2**63)]:
        response = staff_client.get(f"/staff/sellers/applications/{bad}/approve")
        assert response.status_code in (404, 405)
