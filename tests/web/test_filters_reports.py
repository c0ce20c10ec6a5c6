"""The Filters settings, the Report page for accounts and posts, and the staff's report queue."""

import pytest

from storefeed.filters.models import Filter
from storefeed.moderation.models import Report, ReportEvent

pytestmark = pytest.mark.django_db


def test_add_and_delete_a_keyword_filter(alice, client_for):
    client = client_for(alice)
    page = client.get("/settings/filters")
    assert page.status_code == 200 and b'data-testid="no-filters"' in page.content
    res = client.post(
        "/settings/filters",
        {"keyword": "spoiler", "whole_word": "on", "context": ["home", "thread"], "action": "hide",
         "expires_in": "3600"},
        follow=True,
    )  # fmt: skip
    assert res.status_code == 200 and "The filter is saved." in res.content.decode()
    made = Filter.objects.get(account=alice)
    assert made.title == "spoiler" and made.context == ["home", "thread"]
    assert made.action == "hide" and made.expires_at is not None
    assert made.keywords.get().whole_word is True
    assert 'data-testid="filter"' in res.content.decode()
    res = client.post(f"/settings/filters/{made.pk}/delete", follow=True)
    assert "The filter is deleted." in res.content.decode() and not Filter.objects.exists()


@pytest.mark.parametrize(
    ("data", "message", "message_zh"),
    [
        (
            {"keyword": "", "context": ["home"], "action": "warn"},
            "This field is required.",
            "这个字段是必填项。",
        ),
        (
            {"keyword": "x", "action": "warn"},
            "Choose at least one place to filter.",
            "请至少选择一个过滤位置。",
        ),
        (
            {"keyword": "x", "context": ["moon"], "action": "warn"},
            "Select a valid choice",
            "选择一个有效的选项",
        ),
        (
            {"keyword": "x", "context": ["home"], "action": "burn"},
            "Select a valid choice",
            "选择一个有效的选项",
        ),
    ],
)
def test_bad_filters_are_refused_in_both_languages(alice, client_for, data, message, message_zh):
    client = client_for(alice)
    res = client.post("/settings/filters", data)
    assert res.status_code == 400 and message in res.content.decode()
    res = client.post("/settings/filters", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert res.status_code == 400 and message_zh in res.content.decode()
    assert not Filter.objects.exists()


def test_others_filters_cannot_be_deleted(alice, bob, client_for):
    client_for(alice).post(
        "/settings/filters", {"keyword": "x", "context": ["home"], "action": "warn"}
    )
    made = Filter.objects.get()
    res = client_for(bob).post(f"/settings/filters/{made.pk}/delete", follow=True)
    assert "This filter does not exist." in res.content.decode()
    assert Filter.objects.filter(pk=made.pk).exists()


def test_report_an_account_and_a_post(alice, bob, client_for, post):
    client = client_for(alice)
    profile = client.get("/@bob").content.decode()
    assert 'href="/@bob/report"' in profile
    bad = post(bob, "fake bags for sale")
    home_of_bob = client.get("/@bob").content.decode()
    assert f'href="/statuses/{bad.pk}/report"' in home_of_bob
    page = client.get(f"/statuses/{bad.pk}/report")
    assert page.status_code == 200 and "fake bags for sale" in page.content.decode()
    res = client.post(
        f"/statuses/{bad.pk}/report", {"category": "spam", "comment": "counterfeit"}, follow=True
    )
    assert "Thank you. The staff will look at your report." in res.content.decode()
    report = Report.objects.get()
    assert (report.account, report.target_account) == (alice, bob)
    assert report.status_ids == [bad.pk] and report.category == "spam"
    client.post("/@bob/report", {"category": "other"})
    assert Report.objects.count() == 2 and Report.objects.filter(status_ids=[]).exists()


def test_report_refusals(alice, bob, client_for, post):
    client = client_for(alice)
    own = post(alice, "mine")
    assert client.get(f"/statuses/{own.pk}/report").status_code == 404
    assert client.get("/@alice/report").status_code == 404
    assert client.get("/@nobody/report").status_code == 404
    hidden = post(bob, "followers only", visibility="private")
    assert client.get(f"/statuses/{hidden.pk}/report").status_code == 404
    res = client.post("/@bob/report", {"category": "rude"})
    assert res.status_code == 400
    res = client.post("/@bob/report", {"category": "spam", "comment": "x" * 1001},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert res.status_code == 400
    assert not Report.objects.exists()
    assert client_for(bob).get("/settings/filters").status_code == 200
    anonymous = client.__class__()
    assert anonymous.get("/@bob/report").status_code == 302


def test_staff_queue_resolve_with_note_and_history(alice, bob, carol, client_for, post):
    carol.is_staff = True
    carol.save(update_fields=["is_staff"])
    bad = post(bob, "spam spam")
    client_for(alice).post(f"/statuses/{bad.pk}/report", {"category": "spam", "comment": "ugh"})
    report = Report.objects.get()
    staff = client_for(carol)
    queue = staff.get("/staff/reports").content.decode()
    assert f"/staff/reports/{report.pk}" in queue and "@alice reported @bob" in queue
    detail = staff.get(f"/staff/reports/{report.pk}").content.decode()
    assert "spam spam" in detail and "ugh" in detail
    # Resolving needs a note.
    res = staff.post(f"/staff/reports/{report.pk}", {"action": "resolve", "note": ""})
    assert res.status_code == 400 and "Write what was done about it." in res.content.decode()
    report.refresh_from_db()
    assert report.state == "open"
    res = staff.post(
        f"/staff/reports/{report.pk}", {"action": "resolve", "note": "account warned"}, follow=True
    )
    assert "The report is resolved." in res.content.decode()
    report.refresh_from_db()
    assert report.state == "resolved" and report.action_taken_at is not None
    assert 'data-testid="no-reports"' in staff.get("/staff/reports").content.decode()
    assert (
        f"/staff/reports/{report.pk}" in staff.get("/staff/reports?state=resolved").content.decode()
    )
    # Twice is refused; reopen, note; the history keeps all.
    again = staff.post(f"/staff/reports/{report.pk}", {"action": "resolve", "note": "again"})
    assert again.status_code == 400 and "already resolved" in again.content.decode()
    staff.post(f"/staff/reports/{report.pk}", {"action": "reopen", "note": ""})
    staff.post(f"/staff/reports/{report.pk}", {"action": "note", "note": "looking again"})
    assert list(ReportEvent.objects.values_list("kind", "note")) == [
        ("resolved", "account warned"),
        ("reopened", ""),
        ("note", "looking again"),
    ]
    zh = staff.get(f"/staff/reports/{report.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "处理了举报" in zh and "重新打开了举报" in zh
    # Non-staff get 403.
    assert client_for(alice).get("/staff/reports").status_code == 403
    assert (
        client_for(alice)
        .post(f"/staff/reports/{report.pk}", {"action": "note", "note": "x"})
        .status_code
        == 403
    )
    assert staff.get("/staff/reports/123").status_code == 404
    assert (
        staff.post(f"/staff/reports/{report.pk}", {"action": "explode", "note": "x"}).status_code
        == 404
    )


def test_filters_apply_to_the_web_pages(alice, bob, client_for, post, follow):
    follow(alice, bob)
    tea = post(bob, "Matcha all day")
    plain = post(bob, "Nothing here")
    client = client_for(alice)
    client.post(
        "/settings/filters",
        {"keyword": "matcha", "context": ["home", "account"], "action": "warn", "title": "Tea"},
    )
    home = client.get("/").content.decode()
    assert 'data-testid="filtered"' in home and "Filtered: Tea" in home
    assert f"/@bob/{plain.pk}" in home and f"/@bob/{tea.pk}" in home
    zh = client.get("/@bob", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已过滤：Tea" in zh
    # Public is not among its places; hide leaves the post out.
    assert 'data-testid="filtered"' not in client.get("/public").content.decode()
    made = Filter.objects.get()
    Filter.objects.filter(pk=made.pk).update(action="hide", version=made.version + 1)
    home = client.get("/").content.decode()
    assert f"/@bob/{tea.pk}" not in home and f"/@bob/{plain.pk}" in home
    # The author still sees their own post.
    assert f"/@bob/{tea.pk}" in client_for(bob).get("/@bob").content.decode()
