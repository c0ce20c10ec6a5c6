"""Writes to reports: a person reports an account (and some of its posts) to the staff; the
staff resolve, reopen or annotate it. A report's life cycle is declared once (TRANSITIONS)
and every change goes through `_transition`, which records it in the report's history."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.core.parse import check_text
from storefeed.moderation.models import Report, ReportCategory, ReportEvent, ReportState
from storefeed.posts.models import Mention, Status, Visibility
from storefeed.posts.selectors import can_view

COMMENT_MAX = 1000
NOTE_MAX = 2000
MAX_STATUSES = 20

# action -> (from states, to state)
TRANSITIONS = {
    ReportEvent.Kind.RESOLVED: ({ReportState.OPEN}, ReportState.RESOLVED),
    ReportEvent.Kind.REOPENED: ({ReportState.RESOLVED}, ReportState.OPEN),
}


def instance_rule_ids() -> set[int]:
    """The rules this site declares (GET /api/v1/instance/rules): none yet, so a report
    naming a rule is refused."""
    return set()


def _reportable(account: User, status: Status) -> bool:
    """A post the reporter can see, or could but for a block (one blocks, then reports)."""
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED) or can_view(account, status):
        return True
    return Mention.objects.filter(status=status, account=account).exists()


def report_create(
    *,
    account: User,
    target_id: int,
    status_ids: Sequence[int] = (),
    comment: str = "",
    category: str | None = None,
    rule_ids: Sequence[int] = (),
    forward: bool = False,
) -> Report:
    """Report `target_id` (and some of their posts the reporter can see) to the staff. As
    Mastodon: the category defaults to `other`, or `violation` when rules are named."""
    target = User.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        raise NotFound(_("This account does not exist."))
    if target.pk == account.pk:
        raise ValidationFailed(_("You cannot report yourself"), field="account_id")
    comment = check_text(comment or "", field="comment").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(
            _("Comment is too long (maximum is %(n)d characters)") % {"n": COMMENT_MAX},
            field="comment",
        )
    if category is None:
        category = ReportCategory.VIOLATION if rule_ids else ReportCategory.OTHER
    if category not in ReportCategory.values:
        raise ValidationFailed(
            _("Category is not one of spam, legal, violation, other"), field="category"
        )
    rules = sorted(set(rule_ids)) if category == ReportCategory.VIOLATION else []
    if set(rules) - instance_rule_ids():
        raise ValidationFailed(_("Rule ids does not reference existing rules"), field="rule_ids")
    wanted = sorted(set(status_ids))
    if len(wanted) > MAX_STATUSES:
        raise ValidationFailed(
            _("A report names at most %(n)d posts") % {"n": MAX_STATUSES}, field="status_ids"
        )
    statuses = list(Status.objects.filter(pk__in=wanted, account=target).select_related("account"))
    if len(statuses) != len(wanted) or not all(_reportable(account, s) for s in statuses):
        raise NotFound(_("This post does not exist."))
    with transaction.atomic(durable=True):
        return Report.objects.create(
            account=account,
            target_account=target,
            status_ids=wanted,
            comment=comment,
            category=category,
            rule_ids=rules,
            forward=forward,
        )


def _transition(report: Report, kind: str, staff: User, note: str) -> Report:
    sources, target = TRANSITIONS[kind]  # type: ignore[index]
    updated = Report.objects.filter(pk=report.pk, state__in=sources).update(
        state=target, action_taken_at=timezone.now() if target == ReportState.RESOLVED else None
    )
    if not updated:
        raise Conflict(
            _("This report is already resolved.")
            if target == ReportState.RESOLVED
            else _("This report is still open.")
        )
    ReportEvent.objects.create(report=report, staff=staff, kind=kind, note=note)
    report.refresh_from_db()
    return report


def _staff_report(staff: User, report_id: int) -> Report:
    if not staff.is_staff:
        raise Forbidden(_("Only staff can do this."))
    found = Report.objects.filter(pk=report_id).first()
    if found is None:
        raise NotFound(_("This report does not exist."))
    return found


def _note(note: str, *, required: bool) -> str:
    note = check_text(note or "", field="note").strip()
    if required and not note:
        raise ValidationFailed(_("Write what was done about it."), field="note")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("The note is too long (maximum is %(n)d characters)") % {"n": NOTE_MAX},
            field="note",
        )
    return note


def report_resolve(*, staff: User, report_id: int, note: str) -> Report:
    note = _note(note, required=True)
    with transaction.atomic(durable=True):
        return _transition(_staff_report(staff, report_id), ReportEvent.Kind.RESOLVED, staff, note)


def report_reopen(*, staff: User, report_id: int, note: str = "") -> Report:
    note = _note(note, required=False)
    with transaction.atomic(durable=True):
        return _transition(_staff_report(staff, report_id), ReportEvent.Kind.REOPENED, staff, note)


def report_note(*, staff: User, report_id: int, note: str) -> ReportEvent:
    note = _note(note, required=True)
    with transaction.atomic(durable=True):
        report = _staff_report(staff, report_id)
        return ReportEvent.objects.create(
            report=report, staff=staff, kind=ReportEvent.Kind.NOTE, note=note
        )
