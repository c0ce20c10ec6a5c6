"""The seller program's pages: the application form and its status, and the staff review
queue (approve, reject with a reason, suspend and reinstate sellers)."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.accounts import selectors as account_selectors
from storefeed.core.errors import DomainError, NotFound
from storefeed.core.parse import unstorable
from storefeed.sellers import selectors as seller_selectors
from storefeed.sellers import services as seller_services
from storefeed.sellers.models import ApplicationState, Seller
from storefeed.web.errors import show_error
from storefeed.web.shop.common import int_or_404, staff_required
from storefeed.web.shop.forms import ReasonForm, SellerApplicationForm
from storefeed.web.views.helpers import AuthedRequest, redirect_back

QUEUE_STATES = ("pending", "approved", "rejected", "sellers")


@login_required
def apply(request: AuthedRequest) -> HttpResponse:
    """The application form with the eligibility shown first; once applied, its status."""
    account = request.user
    eligibility = seller_services.seller_eligibility(account=account)
    application = seller_selectors.current_application(account=account)
    seller = seller_selectors.seller_for(account.pk)
    can_apply = seller is None and (
        application is None or application.state == ApplicationState.REJECTED
    )
    form = SellerApplicationForm(
        request.POST if request.method == "POST" else None,
        fields=account_selectors.expert_fields(),
    )
    if request.method == "POST" and can_apply and form.is_valid():
        try:
            seller_services.seller_application_submit(account=account, **form.cleaned_data)
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Your application is sent. Staff will review it soon."))
            return redirect("shop:apply")
    elif request.method == "POST" and not can_apply:
        messages.error(request, _("You cannot apply now; see the state of your application."))
        return redirect("shop:apply")
    return render(
        request,
        "web/shop/apply.html",
        {
            "form": form,
            "eligibility": eligibility,
            "application": application,
            "seller": seller,
            "can_apply": can_apply,
            "decisions": seller_selectors.seller_decisions(account=account, limit=10),
            "tab": "me",
        },
        status=400 if form.errors else 200,
    )


# How long personal data revealed (with a reason) stays shown to that staff member.
REVEAL_SECONDS = 600
_REVEALED = "revealed_applications"


def _revealed(request: AuthedRequest) -> set[int]:
    """The applications whose personal data this staff member revealed in the last minutes."""
    now = time.time()
    shown = {pk: until for pk, until in request.session.get(_REVEALED, {}).items() if until > now}
    return {int(pk) for pk in shown}


@staff_required
@require_POST
def application_reveal(request: AuthedRequest, application_id: str) -> HttpResponse:
    pk = int_or_404(application_id)
    try:
        seller_services.application_personal_data_reveal(
            application_id=pk, by=request.user, reason=request.POST.get("reason", "")
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    else:
        now = time.time()
        shown = {k: v for k, v in request.session.get(_REVEALED, {}).items() if v > now}
        shown[str(pk)] = now + REVEAL_SECONDS
        request.session[_REVEALED] = shown
        messages.success(
            request,
            _("Shown for %(minutes)s minutes; your look and its reason are recorded.")
            % {"minutes": REVEAL_SECONDS // 60},
        )
    return redirect_back(request, reverse("shop:review_queue"))


@staff_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    state = request.GET.get("state", "pending")
    if state not in QUEUE_STATES:
        state = "pending"
    applications = []
    sellers: list[Seller] = []
    if state == "sellers":
        query = request.GET.get("q", "")
        # A NUL cannot be searched for (PostgreSQL refuses it): such a query finds everyone.
        sellers = seller_selectors.sellers(query="" if unstorable(query) else query)
    else:
        applications = seller_selectors.applications(state=state, limit=100)
    return render(
        request,
        "web/shop/staff_sellers.html",
        {
            "state": state,
            "applications": applications,
            "sellers": sellers,
            "q": request.GET.get("q", "")[:30],
            "reason_form": ReasonForm(),
            "revealed": _revealed(request),
        },
    )


@staff_required
@require_POST
def application_decide(request: AuthedRequest, application_id: str, action: str) -> HttpResponse:
    pk = int_or_404(application_id)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        if action == "approve":
            seller_services.seller_application_approve(
                application_id=pk, by=request.user, reason=reason
            )
            messages.success(request, _("Approved: the applicant is now a seller."))
        elif action == "reject":
            seller_services.seller_application_reject(
                application_id=pk, by=request.user, reason=reason
            )
            messages.success(request, _("Rejected; the applicant can read your reason."))
        else:
            raise Http404("No such action")
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    return redirect("shop:review_queue")


@staff_required
@require_POST
def seller_decide(request: AuthedRequest, account_id: str, action: str) -> HttpResponse:
    pk = int_or_404(account_id)
    reason = request.POST.get("reason", "")
    try:
        if action == "suspend":
            seller_services.seller_suspend(account_id=pk, by=request.user, reason=reason)
            messages.success(request, _("The seller is suspended."))
        elif action == "reinstate":
            seller_services.seller_reinstate(account_id=pk, by=request.user, reason=reason)
            messages.success(request, _("The seller is reinstated."))
        else:
            raise Http404("No such action")
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    return redirect(reverse("shop:review_queue") + "?state=sellers")
