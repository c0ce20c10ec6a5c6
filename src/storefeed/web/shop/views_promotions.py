"""Promoted posts on the web: the Promote page of one's own post (budget, audience, PIN),
one's promotions with Stop, hiding a seller's promoted posts, and staff's list with Stop."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.core.errors import DomainError, NotFound
from storefeed.core.money import display
from storefeed.posts.models import Status
from storefeed.promotions import selectors, services
from storefeed.promotions.models import PromotionState
from storefeed.wallet import selectors as wallet_selectors
from storefeed.web import fragments
from storefeed.web.errors import show_error
from storefeed.web.shop.common import int_or_404, new_key, seller_of, staff_required
from storefeed.web.shop.forms import PromoteForm
from storefeed.web.views.helpers import AuthedRequest


def _own_post(request: AuthedRequest, status_id: str) -> Status:
    status = Status.objects.filter(pk=int_or_404(status_id), account=request.user).first()
    if status is None:
        raise Http404("No such post of yours")
    return status


@login_required
def promote(request: AuthedRequest, status_id: str) -> HttpResponse:
    """Promote one of one's own posts: a budget from the wallet, the audience, the PIN."""
    status = _own_post(request, status_id)
    seller = seller_of(request.user)
    if seller is None or not seller.is_active:
        return render(request, "web/shop/not_seller.html", status=403)
    if request.method == "POST":
        form = PromoteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.promotion_create(
                    seller=request.user,
                    status_id=status.pk,
                    budget=data["budget"],
                    audience=data["audience"],
                    pin=data["pin"],
                    idempotency_key=data["idempotency_key"] or new_key(),
                )
            except DomainError as error:
                show_error(request, error, form)
            else:
                messages.success(
                    request, _("Promoted. It will be on top of your audience's homes shortly.")
                )
                return redirect("shop:promotions")
        status_code = 400
    else:
        form = PromoteForm(initial={"idempotency_key": new_key()})
        status_code = 200
    context = {
        "form": form,
        "status": status,
        "post": fragments.render(request, [status.pk]),
        "overview": wallet_selectors.wallet_overview(account=request.user),
        "cpm": display(services.cpm_fen()),
    }
    return render(request, "web/shop/promote.html", context, status=status_code)


@login_required
def promotions(request: AuthedRequest) -> HttpResponse:
    """One's promotions, newest first, each with its own line and Stop while active."""
    mine = selectors.promotions_for(seller=request.user)
    results = selectors.promotion_results(mine)
    rows = [{"promotion": p, "results": results.get(p.pk)} for p in mine]
    return render(
        request, "web/shop/promotions.html", {"rows": rows, "active": PromotionState.ACTIVE}
    )


def _stop(request: AuthedRequest, promotion_id: str) -> None:
    try:
        stopped = services.promotion_stop(promotion_id=int_or_404(promotion_id), by=request.user)
    except NotFound:
        raise Http404("No such promotion") from None
    messages.success(
        request,
        _("Stopped. It spent %(spent)s; %(rest)s is back in the wallet.")
        % {
            "spent": display(stopped.spent_fen, stopped.currency),
            "rest": display(stopped.budget_fen - stopped.spent_fen, stopped.currency),
        },
    )


@login_required
@require_POST
def promotion_stop(request: AuthedRequest, promotion_id: str) -> HttpResponse:
    _stop(request, promotion_id)
    return redirect("shop:promotions")


@login_required
@require_POST
def seller_hide(request: AuthedRequest, account_id: str) -> HttpResponse:
    """Hide promoted posts from a seller; back to where the reader was."""
    try:
        services.seller_hide(account=request.user, seller_id=int_or_404(account_id))
    except NotFound:
        raise Http404("No such account") from None
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _("You will not see promoted posts from this seller."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = "/"
    return redirect(back or "/")


@staff_required
def staff_promotions(request: AuthedRequest) -> HttpResponse:
    """Staff: every active promotion, with Stop."""
    active = selectors.promotions_active()
    results = selectors.promotion_results(active)
    rows = [{"promotion": p, "results": results.get(p.pk)} for p in active]
    return render(request, "web/shop/staff_promotions.html", {"rows": rows})


@staff_required
@require_POST
def staff_promotion_stop(request: AuthedRequest, promotion_id: str) -> HttpResponse:
    _stop(request, promotion_id)
    return redirect("shop:staff_promotions")
