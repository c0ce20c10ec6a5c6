"""Reports through the Mastodon API."""

import pytest

from storefeed.moderation.models import Report

pytestmark = pytest.mark.django_db


def _post(api, text, **extra):
    res = api.post("/api/v1/statuses", {"status": text, **extra})
    assert res.status_code == 200, res.content
    return res.json()


def test_report_an_account_and_posts(api_for, alice, bob):
    post = _post(api_for(bob), "buy fake bags")
    res = api_for(alice).post(
        "/api/v1/reports",
        {"account_id": str(bob.pk), "status_ids": [post["id"]], "comment": "counterfeit",
         "category": "spam", "forward": True},
    )  # fmt: skip
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["category"] == "spam" and body["comment"] == "counterfeit"
    assert body["status_ids"] == [post["id"]] and body["rule_ids"] is None
    assert body["action_taken"] is False and body["action_taken_at"] is None
    assert body["forwarded"] is False and body["target_account"]["id"] == str(bob.pk)
    report = Report.objects.get()
    assert report.account == alice and report.state == "open" and report.forward is True


def test_form_arrays_and_default_category(api_for, alice, bob):
    res = api_for(alice).form("/api/v1/reports", {"account_id": bob.pk})
    assert res.status_code == 200 and res.json()["category"] == "other"
    assert res.json()["status_ids"] is None


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"account_id": "999999"}, 404, "Record not found"),
        ({"account_id": ""}, 404, "Record not found"),
        ({"category": "rude"}, 422, "Category"),
        ({"comment": "x" * 1001}, 422, "Comment is too long"),
        ({"category": "violation", "rule_ids": ["1"]}, 422, "Rule ids"),
        ({"rule_ids": ["1"]}, 422, "Rule ids"),
        ({"status_ids": ["abc"]}, 422, "status_ids"),
        ({"status_ids": ["123"]}, 404, "Record not found"),
    ],
)
def test_bad_reports_are_refused(api_for, alice, bob, body, status, message):
    res = api_for(alice).post("/api/v1/reports", {"account_id": str(bob.pk), **body})
    assert res.status_code == status, res.content
    assert message in res.json()["error"]
    assert not Report.objects.exists()


def test_cannot_report_oneself_or_others_posts_as_theirs(api_for, alice, bob, carol):
    me = api_for(alice)
    assert me.post("/api/v1/reports", {"account_id": str(alice.pk)}).status_code == 422
    carols = _post(api_for(carol), "carol's")
    res = me.post("/api/v1/reports", {"account_id": str(bob.pk), "status_ids": [carols["id"]]})
    assert res.status_code == 404
    hidden = _post(api_for(bob), "followers only", visibility="private")
    res = me.post("/api/v1/reports", {"account_id": str(bob.pk), "status_ids": [hidden["id"]]})
    assert res.status_code == 404
    assert (
        api_for(alice, scope="read")
        .post("/api/v1/reports", {"account_id": str(bob.pk)})
        .status_code
        == 403
    )
    assert not Report.objects.exists()


def test_a_blocked_account_can_still_be_reported(api_for, alice, bob):
    post = _post(api_for(bob), "rude")
    me = api_for(alice)
    assert me.post(f"/api/v1/accounts/{bob.pk}/block").status_code == 200
    res = me.post("/api/v1/reports", {"account_id": str(bob.pk), "status_ids": [post["id"]]})
    assert res.status_code == 200, res.content
