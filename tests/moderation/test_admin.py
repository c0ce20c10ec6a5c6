"""Reports in the Django admin: the queue, read only, linking to the staff's web page."""

import pytest

from storefeed.moderation import services
from storefeed.moderation.models import Report
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.admin_urls")]


def test_staff_see_reports_in_the_admin(client_for, alice, bob):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    report = services.report_create(account=alice, target_id=bob.pk, comment="spam bot")
    services.report_resolve(staff=boss, report_id=report.pk, note="suspended")
    client = client_for(boss)
    listing = client.get("/admin/moderation/report/").content.decode()
    assert f"/staff/reports/{report.pk}" in listing
    page = client.get(f"/admin/moderation/report/{report.pk}/change/").content.decode()
    assert "spam bot" in page and "suspended" in page
    assert "/admin/moderation/report/add/" not in listing  # reports come from people only
    assert Report.objects.count() == 1
