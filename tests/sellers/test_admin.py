"""Staff decide in the Django admin, through the services; ID numbers are shown to staff."""

import pytest

from storefeed.sellers import services
from storefeed.sellers.models import (
    ApplicationState,
    SellerDecision,
    SellerState,
)
from tests.conftest import make_user
from tests.sellers.conftest import APPLICATION

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.admin_urls")]

APPLICATIONS = "/admin/sellers/sellerapplication/"
SELLERS = "/admin/sellers/seller/"


@pytest.fixture
def boss(db):
    return make_user("boss", is_staff=True, is_superuser=True)


@pytest.fixture
def application(applicant):
    return services.seller_application_submit(account=applicant, **APPLICATION)


def test_staff_see_the_queue_with_the_full_id_number(client_for, boss, application):
    body = client_for(boss).get(APPLICATIONS).content.decode()
    assert "Alice&#x27;s Tea House" in body
    assert "11010519491231002X" in body


def test_approve_action_goes_through_the_service(client_for, boss, application):
    response = client_for(boss).post(
        APPLICATIONS,
        {"action": "approve", "_selected_action": [application.pk], "reason": ""},
        follow=True,
    )
    assert "1 application approved." in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert SellerDecision.objects.get().by == boss


def test_reject_action_without_a_reason_is_refused_and_changes_nothing(
    client_for, boss, application
):
    response = client_for(boss).post(
        APPLICATIONS,
        {"action": "reject", "_selected_action": [application.pk], "reason": ""},
        follow=True,
    )
    assert "Give a reason" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING
    assert not SellerDecision.objects.exists()


def test_reject_and_suspend_actions_with_reasons(client_for, boss, application, staff):
    client = client_for(boss)
    client.post(
        APPLICATIONS,
        {"action": "reject", "_selected_action": [application.pk], "reason": "Blurry ID"},
    )
    application.refresh_from_db()
    assert (application.state, application.reason) == (ApplicationState.REJECTED, "Blurry ID")

    again = services.seller_application_submit(account=application.account, **APPLICATION)
    seller = services.seller_application_approve(application_id=again.pk, by=staff)
    response = client.post(
        SELLERS,
        {"action": "suspend", "_selected_action": [seller.pk], "reason": "Fakes"},
        follow=True,
    )
    assert "1 seller suspended." in response.content.decode()
    seller.refresh_from_db()
    assert seller.state == SellerState.SUSPENDED


def test_applications_cannot_be_added_or_deleted_in_the_admin(client_for, boss, application):
    body = client_for(boss).get(APPLICATIONS).content.decode()
    assert f"{APPLICATIONS}add/" not in body
    assert 'value="delete_selected"' not in body
    assert 'value="approve"' in body
