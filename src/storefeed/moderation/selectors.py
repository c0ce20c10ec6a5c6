"""Reads of reports for the staff queue."""

from django.db.models import QuerySet

from storefeed.moderation.models import Report, ReportState
from storefeed.posts.models import Status


def report_queue(*, state: str = ReportState.OPEN, limit: int = 100) -> list[Report]:
    qs: QuerySet[Report] = Report.objects.select_related("account", "target_account")
    if state in ReportState.values:
        qs = qs.filter(state=state)
    return list(qs.order_by("-id")[:limit])


def report_detail(*, report_id: int) -> tuple[Report, list[Status]] | None:
    """A report with its history, and those of its posts that still exist."""
    report = (
        Report.objects.select_related("account", "target_account")
        .prefetch_related("events__staff")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return None
    statuses = list(
        Status.objects.filter(pk__in=report.status_ids).select_related("account").order_by("id")
    )
    return report, statuses
