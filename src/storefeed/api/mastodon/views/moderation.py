"""Mastodon API: reports (https://docs.joinmastodon.org/methods/reports/)."""

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern

from storefeed.api.mastodon.base import ApiRequest, endpoint, not_found, ok
from storefeed.api.mastodon.entities import Renderer, iso
from storefeed.api.mastodon.params import Invalid
from storefeed.api.mastodon.routing import route
from storefeed.core.parse import id_or_none
from storefeed.moderation import services
from storefeed.moderation.models import Report, ReportState


def report_entity(r: Renderer, report: Report) -> dict[str, Any]:
    return {
        "id": str(report.pk),
        "action_taken": report.state == ReportState.RESOLVED,
        "action_taken_at": iso(report.action_taken_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": False,  # one server: nothing to forward to
        "created_at": iso(report.created_at),
        "status_ids": [str(s) for s in report.status_ids] or None,
        "rule_ids": [str(s) for s in report.rule_ids] or None,
        "target_account": r.account(report.target_account),
    }


def _ids(api: ApiRequest, name: str) -> list[int]:
    ids = []
    for raw in api.params.list(name):
        pk = id_or_none(raw)
        if pk is None:
            raise Invalid(f"{name} must be ids", field=name)
        ids.append(pk)
    return ids


@endpoint("POST", scope="write:reports")
def reports(api: ApiRequest) -> HttpResponse:
    target_id = id_or_none(api.params.str("account_id", "") or "")
    if target_id is None:
        raise not_found()
    report = services.report_create(
        account=api.user,
        target_id=target_id,
        status_ids=_ids(api, "status_ids"),
        comment=api.params.str("comment", "") or "",
        category=api.params.str("category") or None,
        rule_ids=_ids(api, "rule_ids"),
        forward=api.params.bool("forward"),
    )
    return ok(report_entity(Renderer(api.request), report))


urlpatterns: list[URLPattern] = [route("api/v1/reports", reports)]
