"""Pages for what a reader asks not to see and for reports: the Filters settings, the
"Report" page for an account or a post, and the staff's queue of reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.accounts.models import User
from storefeed.core.errors import DomainError
from storefeed.core.parse import id_or_none
from storefeed.filters import selectors as filter_selectors
from storefeed.filters import services as filter_services
from storefeed.moderation import selectors as report_selectors
from storefeed.moderation import services as report_services
from storefeed.moderation.models import ReportState
from storefeed.posts import selectors as post_selectors
from storefeed.posts.models import Status
from storefeed.web.errors import show_error
from storefeed.web.safety_forms import FilterForm, ReportForm, ReportNoteForm
from storefeed.web.views.helpers import AuthedRequest, staff_required

# Filters ----------------------------------------------------------------------------------


@login_required
def settings_filters(request: AuthedRequest) -> HttpResponse:
    form = FilterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filter_services.filter_create(
                account=request.user,
                title=data["title"] or data["keyword"],
                context=data["context"],
                action=data["action"],
                expires_in=int(data["expires_in"]) if data["expires_in"] else None,
                keywords=[
                    filter_services.KeywordChange(
                        keyword=data["keyword"], whole_word=data["whole_word"]
                    )
                ],
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The filter is saved."))
            return redirect("web:settings_filters")
    return render(
        request,
        "web/settings/filters.html",
        {
            "form": form,
            "filters": filter_selectors.filters_of(account=request.user),
            "settings_tab": "filters",
            "tab": "me",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def settings_filter_delete(request: AuthedRequest, filter_id: int) -> HttpResponse:
    try:
        filter_services.filter_delete(account=request.user, filter_id=filter_id)
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _("The filter is deleted."))
    return redirect("web:settings_filters")


# Reporting --------------------------------------------------------------------------------


def _report_target(request: AuthedRequest, username: str | None, status_id: int | None):  # type: ignore[no-untyped-def]
    status: Status | None = None
    if status_id is not None:
        try:
            status = post_selectors.status_for_viewer(viewer=request.user, status_id=status_id)
        except DomainError:
            raise Http404 from None
        status = status.reblog_of or status
        target = status.account
    else:
        found = User.objects.filter(username__iexact=username or "", is_active=True).first()
        if found is None:
            raise Http404
        target = found
    if target.pk == request.user.pk:
        raise Http404
    return target, status


@login_required
def report(
    request: AuthedRequest, username: str | None = None, status_id: int | None = None
) -> HttpResponse:
    target, status = _report_target(request, username, status_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.report_create(
                account=request.user,
                target_id=target.pk,
                status_ids=[status.pk] if status is not None else [],
                comment=form.cleaned_data["comment"],
                category=form.cleaned_data["category"],
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Thank you. The staff will look at your report."))
            return redirect("web:profile", username=target.username)
    return render(
        request,
        "web/report.html",
        {"form": form, "target": target, "reported": status},
        status=400 if form.errors else 200,
    )


# The staff's queue ------------------------------------------------------------------------


@staff_required
def staff_reports(request: AuthedRequest) -> HttpResponse:
    state = request.GET.get("state", ReportState.OPEN)
    if state not in ReportState.values:
        state = ReportState.OPEN
    return render(
        request,
        "web/staff/reports.html",
        {"reports": report_selectors.report_queue(state=state), "state": state, "tab": "me"},
    )


@staff_required
def staff_report(request: AuthedRequest, report_id: str) -> HttpResponse:
    pk = id_or_none(report_id)
    found = report_selectors.report_detail(report_id=pk) if pk else None
    if found is None:
        raise Http404
    report_, statuses = found
    form = ReportNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "")
        note = form.cleaned_data["note"]
        try:
            if action == "resolve":
                report_services.report_resolve(staff=request.user, report_id=report_.pk, note=note)
                messages.success(request, _("The report is resolved."))
            elif action == "reopen":
                report_services.report_reopen(staff=request.user, report_id=report_.pk, note=note)
                messages.success(request, _("The report is open again."))
            elif action == "note":
                report_services.report_note(staff=request.user, report_id=report_.pk, note=note)
                messages.success(request, _("The note is added."))
            else:
                raise Http404
        except DomainError as error:
            show_error(request, error, form)
        else:
            return redirect("web:staff_report", report_id=report_.pk)
    return render(
        request,
        "web/staff/report.html",
        {"report": report_, "statuses": statuses, "form": form, "tab": "me"},
        status=400 if form.errors else 200,
    )
