"""Buying and orders: checkout from a product card (Buy, then confirm with the PIN), the cart,
the buyer's orders and their actions, the seller's orders to ship, and the staff dispute queue.

Buying now is one call (`order_buy`: placed and paid in one transaction, all or nothing);
the cart's checkout checks the PIN and the balance before placing anything. Either way a
wrong PIN or too little money changes nothing (but the counted try), a new address included,
and the keys minted with the form make a double submit buy once."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.catalog import selectors as catalog_selectors
from storefeed.core.errors import DomainError, NotFound
from storefeed.core.money import display
from storefeed.core.parse import id_or_none
from storefeed.orders import carriers, workflow
from storefeed.orders import selectors as order_selectors
from storefeed.orders import services as order_services
from storefeed.orders.models import Address, Order, OrderState
from storefeed.social import selectors as social_selectors
from storefeed.wallet import selectors as wallet_selectors
from storefeed.wallet import services as wallet_services
from storefeed.wallet.errors import InsufficientFunds
from storefeed.web.errors import show_error
from storefeed.web.shop.common import int_or_404, new_key, staff_required
from storefeed.web.shop.forms import (
    AddressForm,
    CartCheckoutForm,
    CheckoutForm,
    PayForm,
    ShipForm,
)
from storefeed.web.views.helpers import AuthedRequest, redirect_back

BUYER_TABS = {
    "all": None,
    "pending_payment": "pending_payment",
    "paid": "paid",
    "shipped": "shipped",
    "delivered": "delivered,refund_requested,refund_declined,disputed,return_requested,"
    "return_shipped",
    "closed": "closed",
}
SELLER_TABS = {
    "to_ship": "paid",
    "shipped": "shipped",
    # What waits for the seller: refund requests, and returned parcels to receive.
    "refunds": "refund_requested,return_requested,return_shipped",
    "all": None,
}

# --------------------------------------------------------------------------------------------
# Checkout


def _address(request: AuthedRequest, form: AddressForm, addresses: list[Address]) -> Address:
    """The chosen address, or a new one from the form's fields (saved to the address book)."""
    chosen = form.cleaned_data.get("address_id") or ""
    if chosen and chosen != "new":
        return order_selectors.address_for(account=request.user, address_id=chosen)
    if not form.has_address() and addresses:
        return addresses[0]
    return order_services.address_create(account=request.user, **form.address_data())


def _new_address(form: AddressForm, addresses: list[Address]) -> bool:
    """Whether `_address` will save a new address from the form."""
    chosen = form.cleaned_data.get("address_id") or ""
    if chosen and chosen != "new":
        return False
    return form.has_address() or not addresses


def _ready_to_pay(request: AuthedRequest, *, pin: str, total: int) -> None:
    """Refuse before anything is placed: a wrong PIN (counted) or too little money."""
    wallet_services.pin_verify(account=request.user, pin=pin)
    balance = wallet_selectors.wallet_balance(account=request.user)
    if balance < total:
        raise InsufficientFunds(
            _("Your balance is %(balance)s; this costs %(total)s. Top up first.")
            % {"balance": display(balance), "total": display(total)},
            field="pin",
            balance=balance,
            shortfall=total - balance,
        )


def _pay_all(request: AuthedRequest, orders: list[Order], *, pin: str, key: str) -> None:
    for order in orders:
        order_services.order_pay(
            buyer=request.user, order_id=order.pk, pin=pin, idempotency_key=f"{key}:pay:{order.pk}"
        )


@login_required
def buy(request: AuthedRequest, product_id: str) -> HttpResponse:
    """Buy now: the product (variant, quantity), the address and the PIN on one page."""
    try:
        detail = catalog_selectors.product_detail(product_id=int_or_404(product_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    product = detail.product
    source = request.POST if request.method == "POST" else request.GET
    variant = None
    variant_id = source.get("variant_id", "")
    if variant_id:
        variant = next((v for v in detail.variants if str(v.pk) == variant_id), None)
    if product.has_variants and variant is None:
        # Choose the variant on the product page first.
        if request.method == "POST":
            messages.error(request, _("Choose a variant."))
        page = reverse("shop:product", args=[product.pk])
        # The post it came from goes along, so the order still credits it.
        origin = source.get("from") or source.get("source") or ""
        return redirect(f"{page}?from={origin}" if origin.isdigit() else page)
    try:
        # Withdrawn, or the shop suspended: say so before asking for an address and a PIN.
        catalog_selectors.product_for_purchase(
            product_id=product.pk, variant_id=variant.pk if variant is not None else None
        )
    except DomainError as error:
        show_error(request, error)
        return redirect("shop:product", product_id=product.pk)
    addresses = order_selectors.addresses_for(account=request.user)
    form = CheckoutForm(
        request.POST if request.method == "POST" else None,
        initial={
            "quantity": source.get("quantity", "1"),
            "variant_id": variant_id,
            "source": source.get("from", ""),
            "idempotency_key": new_key(),
            "address_id": str(addresses[0].pk) if addresses else "new",
        },
    )
    unit = variant.price_fen if variant is not None else product.price_fen
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["idempotency_key"] or new_key()
        try:
            if _new_address(form, addresses):
                # The new address is saved only once the PIN and the balance are known good,
                # so that a refusal leaves the address book as it was.
                _ready_to_pay(request, pin=data["pin"], total=unit * data["quantity"])
            address = _address(request, form, addresses)
            # One step, all or nothing: placed and paid in one transaction (`order_buy`).
            order = order_services.order_buy(
                buyer=request.user,
                product_id=product.pk,
                variant_id=variant.pk if variant is not None else None,
                quantity=data["quantity"],
                address_id=address.pk,
                pin=data["pin"],
                source_status_id=data["source"] or None,
                idempotency_key=f"{key}:buy",
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Paid. The seller has been told to ship."))
            return redirect(reverse("shop:order", args=[order.pk]) + "?paid=1")
    overview = wallet_selectors.wallet_overview(account=request.user)
    quantity = form.data.get("quantity") if form.is_bound else form.initial.get("quantity")
    units = id_or_none(quantity if isinstance(quantity, str) else str(quantity)) or 1
    units = units if units < 100 else 1
    return render(
        request,
        "web/shop/checkout.html",
        {
            "form": form,
            "detail": detail,
            "product": product,
            "card": detail.card,
            "variant": variant,
            "unit_fen": unit,
            "total_fen": unit * units,
            "addresses": addresses,
            "overview": overview,
            # Not enough in the wallet: a top-up step on this page that comes back here.
            "short_fen": max(0, unit * units - overview.balance),
            "topup_key": new_key(),
            "tab": "",
        },
        status=400 if form.errors else 200,
    )


def _paid_or_waiting(
    request: AuthedRequest, orders: list[Order], *, pin: str, key: str
) -> HttpResponse:
    """Placed: pay now. If paying is refused after all (a race), the orders wait for payment
    until their deadline and their page says why."""
    try:
        _pay_all(request, orders, pin=pin, key=key)
    except DomainError as error:
        show_error(request, error)
        return redirect("shop:order", order_id=orders[0].pk)
    messages.success(request, _("Paid. The seller has been told to ship."))
    if len(orders) == 1:
        return redirect(reverse("shop:order", args=[orders[0].pk]) + "?paid=1")
    return redirect("shop:my_orders")


# --------------------------------------------------------------------------------------------
# Cart


@login_required
def cart(request: AuthedRequest) -> HttpResponse:
    lines = order_selectors.cart_for(account=request.user)
    addresses = order_selectors.addresses_for(account=request.user)
    form = CartCheckoutForm(
        request.POST if request.method == "POST" else None,
        initial={
            "idempotency_key": new_key(),
            "address_id": str(addresses[0].pk) if addresses else "new",
        },
    )
    total = sum(line.line_total_fen for line in lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["idempotency_key"] or new_key()
        try:
            _ready_to_pay(request, pin=data["pin"], total=total)
            address = _address(request, form, addresses)
            orders = order_services.order_place(
                buyer=request.user,
                from_cart=True,
                address_id=address.pk,
                idempotency_key=f"{key}:place",
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            return _paid_or_waiting(request, orders, pin=data["pin"], key=key)
    return render(
        request,
        "web/shop/cart.html",
        {
            "lines": lines,
            "total_fen": total,
            "form": form,
            "addresses": addresses,
            "overview": wallet_selectors.wallet_overview(account=request.user),
            "tab": "",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def cart_add(request: AuthedRequest) -> HttpResponse:
    product_id = request.POST.get("product_id", "")
    try:
        order_services.cart_add(
            account=request.user,
            product_id=product_id,
            variant_id=request.POST.get("variant_id") or None,
            quantity=request.POST.get("quantity", "1"),
            source_status_id=request.POST.get("from") or None,
        )
    except DomainError as error:
        show_error(request, error)
        return redirect_back(request, reverse("shop:cart"))
    messages.success(request, _("Added to your cart."))
    return redirect("shop:cart")


@login_required
@require_POST
def cart_item(request: AuthedRequest, item_id: str, action: str) -> HttpResponse:
    pk = int_or_404(item_id)
    try:
        if action == "remove":
            order_services.cart_remove(account=request.user, item_id=pk)
        else:
            order_services.cart_update(
                account=request.user, item_id=pk, quantity=request.POST.get("quantity", "")
            )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    return redirect("shop:cart")


# --------------------------------------------------------------------------------------------
# Orders


@login_required
def my_orders(request: AuthedRequest) -> HttpResponse:
    tab = request.GET.get("state", "all")
    if tab not in BUYER_TABS:
        tab = "all"
    orders = order_selectors.orders_for_buyer(
        buyer=request.user, state=BUYER_TABS[tab], max_id=request.GET.get("max_id"), limit=30
    )
    return render(
        request,
        "web/shop/orders.html",
        {"orders": orders, "role": "buyer", "state_tab": tab, "tabs": BUYER_TABS, "tab": "me"},
    )


@login_required
def seller_orders(request: AuthedRequest) -> HttpResponse:
    tab = request.GET.get("state", "to_ship")
    if tab not in SELLER_TABS:
        tab = "to_ship"
    orders = order_selectors.orders_for_seller(
        seller=request.user, state=SELLER_TABS[tab], max_id=request.GET.get("max_id"), limit=30
    )
    return render(
        request,
        "web/shop/orders.html",
        {
            "orders": orders,
            "role": "seller",
            "state_tab": tab,
            "tabs": SELLER_TABS,
            "ship_form": ShipForm(),
            "tab": "me",
        },
    )


@login_required
def order_detail(request: AuthedRequest, order_id: str) -> HttpResponse:
    try:
        order = order_selectors.order_for_party(account=request.user, order_id=int_or_404(order_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    role = "buyer" if order.buyer_id == request.user.pk else "seller"
    context: dict[str, Any] = {
        "order": order,
        "role": role,
        "pay_form": PayForm(initial={"idempotency_key": new_key()}),
        "ship_form": ShipForm(),
        "tab": "me",
    }
    if role == "buyer":
        context["overview"] = wallet_selectors.wallet_overview(account=request.user)
        if order.state == OrderState.PAID and request.GET.get("paid"):
            # Weibo Payment's offer after paying: follow the seller, share the item.
            context["offer_follow"] = not social_selectors.is_following(
                request.user.pk, order.seller_id
            )
            sources = [i.source_status_id for i in order.items.all() if i.source_status_id]
            context["share_status_id"] = sources[0] if sources else None
            context["share_product_id"] = order.items.all()[0].product_id
    context["actions"] = [workflow.BY_NAME[name] for name in workflow.available(order, role)]
    return render(request, "web/shop/order.html", context)


def _carrier(post: Any) -> str:
    """The carrier chosen from the list; "Other" means the name typed beside it."""
    if post.get("carrier") == carriers.OTHER:
        return str(post.get("carrier_other", ""))
    return str(post.get("carrier", ""))


@login_required
@require_POST
def order_action(request: AuthedRequest, order_id: str, action: str) -> HttpResponse:
    pk = int_or_404(order_id)
    me = request.user
    post = request.POST
    fallback = reverse("shop:order", args=[pk])
    try:
        if action == "pay":
            form = PayForm(post)
            if not form.is_valid():
                for errors in form.errors.values():
                    for message in errors:
                        messages.error(request, str(message))
                return redirect(fallback)
            order_services.order_pay(
                buyer=me,
                order_id=pk,
                pin=form.cleaned_data["pin"],
                idempotency_key=form.cleaned_data["idempotency_key"] or new_key(),
            )
            messages.success(request, str(workflow.BY_NAME["pay"].done))
            return redirect(fallback + "?paid=1")
        if action == "cancel":
            order_services.order_cancel(account=me, order_id=pk, reason=post.get("reason", ""))
        elif action == "confirm":
            order_services.order_confirm(buyer=me, order_id=pk)
        elif action == "refund_request":
            order_services.order_refund_request(
                buyer=me, order_id=pk, reason=post.get("reason", "")
            )
        elif action == "dispute":
            order_services.order_dispute(buyer=me, order_id=pk, reason=post.get("reason", ""))
        elif action == "ship":
            order_services.order_ship(
                seller=me,
                order_id=pk,
                carrier=_carrier(post),
                tracking_number=post.get("tracking_number", ""),
            )
        elif action == "return_ship":
            order_services.order_return_ship(
                buyer=me,
                order_id=pk,
                carrier=_carrier(post),
                tracking_number=post.get("tracking_number", ""),
            )
        elif action == "return_request":
            order_services.order_return_request(seller=me, order_id=pk)
        elif action == "return_receive":
            order_services.order_return_receive(
                seller=me, order_id=pk, restock=post.get("restock") in ("1", "on", "true", "True")
            )
        elif action == "refund_accept":
            order_services.order_refund_accept(seller=me, order_id=pk)
        elif action == "refund_decline":
            order_services.order_refund_decline(
                seller=me, order_id=pk, reason=post.get("reason", "")
            )
        else:
            raise Http404("No such action")
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
        if isinstance(error, InsufficientFunds):
            messages.info(request, _("Top up your wallet, then pay before the deadline."))
    else:
        messages.success(request, str(workflow.BY_NAME[action].done))
    return redirect_back(request, fallback)


# --------------------------------------------------------------------------------------------
# Staff: disputed refunds


@staff_required
def disputes(request: AuthedRequest) -> HttpResponse:
    decided = request.GET.get("state") == "decided"
    orders = (
        order_selectors.disputes_decided(limit=100)
        if decided
        else order_selectors.disputes(limit=100)
    )
    return render(
        request,
        "web/shop/disputes.html",
        {"orders": orders, "decided": decided, "tab": "me"},
    )


@staff_required
@require_POST
def dispute_resolve(request: AuthedRequest, order_id: str, outcome: str) -> HttpResponse:
    try:
        order_services.order_dispute_resolve(
            by=request.user,
            order_id=int_or_404(order_id),
            outcome=outcome,
            note=request.POST.get("note", ""),
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Decided."))
    return redirect("shop:disputes")


# --------------------------------------------------------------------------------------------
# Addresses


@login_required
def addresses(request: AuthedRequest) -> HttpResponse:
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            order_services.address_create(account=request.user, **form.address_data())
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Address saved."))
            return redirect("shop:addresses")
    return render(
        request,
        "web/shop/addresses.html",
        {
            "form": form,
            "addresses": order_selectors.addresses_for(account=request.user),
            "tab": "me",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def address_delete(request: AuthedRequest, address_id: str) -> HttpResponse:
    try:
        order_services.address_delete(account=request.user, address_id=int_or_404(address_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    messages.success(request, _("Address deleted."))
    return redirect("shop:addresses")
