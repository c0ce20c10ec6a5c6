"""Storefeed Pay's pages: balance and statement, top-up through the payment provider (the
simulated bank, labelled so), withdrawal with the PIN, and PIN settings.

Money-moving forms carry an idempotency key minted when the form is shown: a double submit or
a reload moves the money once, and the second submit lands on the first one's result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.core.errors import DomainError
from storefeed.core.money import display
from storefeed.wallet import selectors as wallet_selectors
from storefeed.wallet import services as wallet_services
from storefeed.wallet.idempotency import fingerprint_of, idempotent
from storefeed.wallet.providers import get_provider
from storefeed.web.errors import show_error
from storefeed.web.shop.common import new_key
from storefeed.web.shop.forms import AmountForm, PinChangeForm, PinSetForm, WithdrawForm
from storefeed.web.views.helpers import AuthedRequest, cursor

STATEMENT_PAGE = 30


def _wallet_context(request: AuthedRequest, **forms: object) -> dict:
    account = request.user
    entries = wallet_selectors.wallet_statement(
        account=account, max_id=cursor(request), limit=STATEMENT_PAGE
    )
    provider = get_provider()
    context = {
        "overview": wallet_selectors.wallet_overview(account=account),
        "entries": entries,
        "next_max_id": entries[-1].pk if len(entries) == STATEMENT_PAGE else None,
        "provider": provider,
        "topup_form": AmountForm(initial={"idempotency_key": new_key()}),
        "withdraw_form": WithdrawForm(initial={"idempotency_key": new_key()}),
        "tab": "me",
    }
    context.update(forms)
    return context


@login_required
def wallet(request: AuthedRequest) -> HttpResponse:
    return render(request, "web/shop/wallet.html", _wallet_context(request))


def _return_to(request: AuthedRequest) -> str:
    """Where a money form returns: the page that sent it there (a checkout waiting for a top-up,
    say) if it is a path on this site, else the wallet."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted:
        return wanted
    return reverse("shop:wallet")


def _money_request(
    request: AuthedRequest, form: AmountForm, *, scope: str, run: object
) -> HttpResponse | None:
    """Run `run()` at most once per idempotency key; None when refused (the form shows why)."""
    key = form.cleaned_data.get("idempotency_key") or new_key()
    body = {k: v for k, v in form.cleaned_data.items() if k not in ("idempotency_key", "pin")}
    try:
        with idempotent(
            key=key, account=request.user, scope=f"web-{scope}", fingerprint=fingerprint_of(body)
        ) as slot:
            if slot.replayed:
                messages.info(request, _("Already done: that form was sent before."))
                return redirect(_return_to(request))
            result = run()  # type: ignore[operator]
            slot.store(200, {"id": str(result.pk)})
    except DomainError as error:
        show_error(request, error, form)
        return None
    return redirect(_return_to(request))


@login_required
@require_POST
def topup(request: AuthedRequest) -> HttpResponse:
    form = AmountForm(request.POST)
    if form.is_valid():
        amount = form.cleaned_data["amount"]
        done = _money_request(
            request,
            form,
            scope="topup",
            run=lambda: wallet_services.topup_create(account=request.user, amount=amount),
        )
        if done is not None:
            balance = wallet_selectors.wallet_balance(account=request.user)
            messages.success(
                request,
                _("Topped up. Your balance is %(balance)s.") % {"balance": display(balance)},
            )
            return done
    return render(
        request, "web/shop/wallet.html", _wallet_context(request, topup_form=form), status=400
    )


@login_required
@require_POST
def withdraw(request: AuthedRequest) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = _money_request(
            request,
            form,
            scope="withdrawal",
            run=lambda: wallet_services.withdrawal_create(
                account=request.user, amount=data["amount"], pin=data["pin"]
            ),
        )
        if done is not None:
            messages.success(request, _("Withdrawal sent to your bank."))
            return done
    return render(
        request,
        "web/shop/wallet.html",
        _wallet_context(request, withdraw_form=form),
        status=400,
    )


@login_required
def pin(request: AuthedRequest) -> HttpResponse:
    """Set the payment PIN once (with the sign-in password), or change it."""
    overview = wallet_selectors.wallet_overview(account=request.user)
    form_class = PinChangeForm if overview.pin_set else PinSetForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if overview.pin_set:
                wallet_services.pin_change(
                    account=request.user,
                    new_pin=data["new_pin"],
                    old_pin=data["old_pin"] or None,
                    password=data["password"] or None,
                )
            else:
                wallet_services.pin_set(
                    account=request.user, pin=data["pin"], password=data["password"]
                )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Your payment PIN is saved."))
            wanted = request.GET.get("next", "")
            # Only a path on this site (a checkout waiting for the PIN, say).
            if wanted.startswith("/") and not wanted.startswith("//"):
                return redirect(wanted)
            return redirect("shop:wallet")
    return render(
        request,
        "web/shop/pin.html",
        {"form": form, "overview": overview, "tab": "me"},
        status=400 if form.errors else 200,
    )
