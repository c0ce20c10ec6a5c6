"""The seller program: eligibility, applications, staff decisions and the state machines."""

import pytest

from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.notifications.models import Notification
from storefeed.sellers import selectors, services
from storefeed.sellers.errors import NotEligible
from storefeed.sellers.models import (
    APPLICATION_TRANSITIONS,
    ApplicationState,
    Seller,
    SellerApplication,
    SellerDecision,
    SellerState,
    mask,
)
from tests.sellers.conftest import APPLICATION, with_followers

pytestmark = pytest.mark.django_db


def submit(account, **changes):
    return services.seller_application_submit(account=account, **{**APPLICATION, **changes})


def shop_notifications(account):
    return list(
        Notification.objects.filter(recipient=account, type="shop").values_list(
            "data__event", flat=True
        )
    )


# --- eligibility -----------------------------------------------------------------------------


def test_under_the_threshold_the_refusal_says_how_many_followers_and_how_many_needed(alice):
    with_followers(alice, 999)
    eligibility = services.seller_eligibility(account=alice)
    assert not eligibility.eligible
    assert (eligibility.followers_count, eligibility.min_followers) == (999, 1000)
    assert "You have 999 followers" in eligibility.message
    assert "at least 1,000" in eligibility.message
    with pytest.raises(NotEligible) as refused:
        submit(alice)
    assert "999" in refused.value.message
    assert refused.value.details == {"followers_count": 999, "min_followers": 1000}
    assert not SellerApplication.objects.exists()


def test_the_threshold_comes_from_settings(alice, settings):
    settings.SELLER_MIN_FOLLOWERS = 3
    with_followers(alice, 3)
    assert services.seller_eligibility(account=alice).eligible


def test_an_account_not_in_good_standing_cannot_apply(applicant):
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    assert not services.seller_eligibility(account=applicant).eligible
    with pytest.raises(NotEligible):
        submit(applicant)
    assert not SellerApplication.objects.exists()


# --- applying ----------------------------------------------------------------------------------


def test_an_eligible_account_applies_and_waits_for_review(applicant):
    application = submit(applicant)
    assert application.state == ApplicationState.PENDING
    assert application.field.slug == "food"
    assert application.contact_phone == "13800138000"
    assert application.id_number == "11010519491231002X"
    assert application.masked_id_number == "1***************2X"
    assert "1949" not in application.masked_id_number
    assert application.agreed_at is not None
    assert selectors.current_application(account=applicant) == application
    assert selectors.pending_applications() == [application]
    assert not selectors.is_active_seller(applicant.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shop_name": "   "}, "shop_name"),
        ({"shop_name": "x" * 61}, "shop_name"),
        ({"field": "astrology"}, "field"),
        ({"field": None}, "field"),
        ({"sells": ""}, "sells"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_phone": "123"}, "contact_phone"),
        ({"real_name": ""}, "real_name"),
        ({"id_number": "12"}, "id_number"),
        ({"id_number": "1101-0519<script>"}, "id_number"),
        ({"agreed": False}, "agreed"),
        ({"agreed": "yes"}, "agreed"),
    ],
)
def test_bad_applications_are_refused_with_the_field_and_nothing_saved(applicant, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        submit(applicant, **changes)
    assert refused.value.field == field
    assert refused.value.message
    assert not SellerApplication.objects.exists()


def test_one_application_at_a_time(applicant):
    submit(applicant)
    with pytest.raises(Conflict, match="already waiting"):
        submit(applicant, shop_name="Another")
    assert SellerApplication.objects.count() == 1


def test_a_seller_cannot_apply_again(seller):
    with pytest.raises(Conflict, match="already a seller"):
        submit(seller)


# --- staff decisions -------------------------------------------------------------------------


def test_staff_approve_and_the_applicant_becomes_an_active_seller(applicant, staff):
    application = submit(applicant)
    seller = services.seller_application_approve(application_id=application.pk, by=staff)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert (application.decided_by, application.decided_at is not None) == (staff, True)
    assert seller.state == SellerState.ACTIVE
    assert seller.shop_name == "Alice's Tea House"
    assert selectors.is_active_seller(applicant.pk)
    decision = SellerDecision.objects.get()
    assert (decision.account, decision.action, decision.by) == (applicant, "approve", staff)
    assert shop_notifications(applicant) == ["seller_approve"]


def test_only_staff_decide(applicant, bob):
    application = submit(applicant)
    for call in (
        lambda: services.seller_application_approve(application_id=application.pk, by=bob),
        lambda: services.seller_application_reject(
            application_id=application.pk, by=bob, reason="no"
        ),
        lambda: services.seller_suspend(account_id=applicant.pk, by=bob, reason="no"),
        lambda: services.seller_reinstate(account_id=applicant.pk, by=bob, reason="no"),
    ):
        with pytest.raises(Forbidden):
            call()
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING
    assert not Seller.objects.exists()
    assert not SellerDecision.objects.exists()


def test_a_rejection_needs_a_reason_the_applicant_sees_and_they_may_apply_again(applicant, staff):
    application = submit(applicant)
    with pytest.raises(ValidationFailed) as refused:
        services.seller_application_reject(application_id=application.pk, by=staff, reason=" ")
    assert refused.value.field == "reason"
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING

    services.seller_application_reject(
        application_id=application.pk, by=staff, reason="Photos of the products, please."
    )
    current = selectors.current_application(account=applicant)
    assert current is not None
    assert current.state == ApplicationState.REJECTED
    assert current.reason == "Photos of the products, please."
    notification = Notification.objects.get(recipient=applicant, type="shop")
    assert "Photos of the products, please." in notification.shop_message

    again = submit(applicant, shop_name="Tea House, with photos")
    assert again.pk != application.pk
    assert selectors.current_application(account=applicant) == again
    assert again.state == ApplicationState.PENDING


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_decided_application_cannot_be_decided_again(applicant, staff, first):
    application = submit(applicant)
    if first == "approve":
        services.seller_application_approve(application_id=application.pk, by=staff)
    else:
        services.seller_application_reject(application_id=application.pk, by=staff, reason="no")
    with pytest.raises(Conflict):
        services.seller_application_approve(application_id=application.pk, by=staff)
    with pytest.raises(Conflict):
        services.seller_application_reject(application_id=application.pk, by=staff, reason="x")
    assert SellerDecision.objects.count() == 1
    assert Seller.objects.count() == (1 if first == "approve" else 0)


def test_deciding_an_unknown_application_is_not_found(staff):
    for bad in (123, "abc", None):
        with pytest.raises(NotFound):
            services.seller_application_approve(application_id=bad, by=staff)


def test_suspend_and_reinstate_with_reasons_recorded_and_notified(seller, staff):
    with pytest.raises(ValidationFailed):
        services.seller_suspend(account_id=seller.pk, by=staff, reason="")
    assert selectors.is_active_seller(seller.pk)

    services.seller_suspend(account_id=seller.pk, by=staff, reason="Counterfeit tea")
    assert not selectors.is_active_seller(seller.pk)
    assert Seller.objects.get(pk=seller.pk).state == SellerState.SUSPENDED
    with pytest.raises(Conflict):
        services.seller_suspend(account_id=seller.pk, by=staff, reason="again")

    services.seller_reinstate(account_id=seller.pk, by=staff, reason="Supplier checked")
    assert selectors.is_active_seller(seller.pk)
    with pytest.raises(Conflict):
        services.seller_reinstate(account_id=seller.pk, by=staff, reason="again")

    actions = [(d.action, d.reason, d.by) for d in selectors.seller_decisions(account=seller)]
    assert actions == [
        ("reinstate", "Supplier checked", staff),
        ("suspend", "Counterfeit tea", staff),
        ("approve", "", staff),
    ]
    assert shop_notifications(seller) == ["seller_approve", "seller_suspend", "seller_reinstate"]


def test_suspending_someone_who_is_not_a_seller_is_not_found(alice, staff):
    with pytest.raises(NotFound):
        services.seller_suspend(account_id=alice.pk, by=staff, reason="x")


def test_the_transition_helper_refuses_what_the_map_does_not_list():
    application = SellerApplication(state=ApplicationState.REJECTED)
    with pytest.raises(Conflict) as refused:
        services.transition(application, ApplicationState.APPROVED, legal=APPLICATION_TRANSITIONS)
    assert refused.value.details == {"current": "rejected", "to": "approved"}
    assert application.state == ApplicationState.REJECTED


def test_mask_keeps_only_the_ends():
    assert mask("11010519491231002X") == "1***************2X"
    assert mask("123") == "***"
