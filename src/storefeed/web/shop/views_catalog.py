"""Catalog pages: a seller's product management (create, edit, restock, withdraw and relist,
variants), the public product page (with schema.org and OpenGraph data), third-party items and
their counted Buy redirect, and each seller's shop page."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.catalog import selectors as catalog_selectors
from storefeed.catalog import services as catalog_services
from storefeed.catalog.selectors import ProductDetail
from storefeed.core.errors import DomainError, NotFound
from storefeed.core.money import format_amount
from storefeed.core.parse import id_or_none
from storefeed.insights import services as insight_services
from storefeed.insights.counting import is_bot
from storefeed.web import fragments
from storefeed.web.errors import show_error
from storefeed.web.shop.common import int_or_404, seller_of
from storefeed.web.shop.forms import ManualItemForm, ProductForm, RestockForm, VariantForm
from storefeed.web.views.helpers import AuthedRequest, HtmxRequest, account_or_404, viewer

# --------------------------------------------------------------------------------------------
# Product management (the seller's own)


def _not_a_seller(request: HttpRequest) -> HttpResponse:
    return render(request, "web/shop/not_seller.html", {"tab": "me"}, status=403)


@login_required
def products(request: AuthedRequest) -> HttpResponse:
    seller = seller_of(request.user)
    if seller is None:
        return _not_a_seller(request)
    items = catalog_selectors.seller_products(
        seller=request.user, include_withdrawn=True, limit=100
    )
    return render(
        request,
        "web/shop/products.html",
        {"seller": seller, "products": items, "tab": "me"},
    )


@login_required
def product_new(request: AuthedRequest) -> HttpResponse:
    seller = seller_of(request.user)
    if seller is None:
        return _not_a_seller(request)
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = catalog_services.product_create(
                account=request.user,
                title=data["title"],
                description=data["description"],
                price=data["price"],
                stock=data["stock"],
                images=data["images"],
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("“%(title)s” is on sale.") % {"title": product.title})
            return redirect("shop:product_edit", product_id=product.pk)
    return render(
        request,
        "web/shop/product_form.html",
        {"form": form, "seller": seller, "tab": "me"},
        status=400 if form.errors else 200,
    )


def _own_detail(request: AuthedRequest, product_id: str) -> ProductDetail:
    try:
        detail = catalog_selectors.product_detail(product_id=int_or_404(product_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    if detail.product.seller_id != request.user.pk:
        # Someone else's product: there is nothing to manage here.
        raise Http404("Not your product")
    return detail


@login_required
def product_edit(request: AuthedRequest, product_id: str) -> HttpResponse:
    detail = _own_detail(request, product_id)
    product = detail.product
    initial = {
        "title": product.title,
        "description": product.description,
        "price": format_amount(product.price_fen, product.currency),
    }
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        editing=True,
        has_variants=product.has_variants,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            catalog_services.product_update(
                account=request.user,
                product_id=product.pk,
                title=data["title"],
                description=data["description"],
                price=data.get("price") or None,
                images=data["images"] or None,
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("shop:product_edit", product_id=product.pk)
    return render(
        request,
        "web/shop/product_edit.html",
        {
            "detail": detail,
            "product": product,
            "card": detail.card,
            "form": form,
            "restock_form": RestockForm(),
            "variant_form": VariantForm(),
            "tab": "me",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def product_action(request: AuthedRequest, product_id: str, action: str) -> HttpResponse:
    """Restock, withdraw, relist: each one service call; refusals come back as messages."""
    pk = int_or_404(product_id)
    try:
        if action == "restock":
            catalog_services.product_restock(
                account=request.user,
                product_id=pk,
                quantity=request.POST.get("quantity", ""),
                variant_id=request.POST.get("variant_id") or None,
            )
            messages.success(request, _("Stock updated."))
        elif action == "withdraw":
            catalog_services.product_withdraw(account=request.user, product_id=pk)
            messages.success(request, _("Withdrawn: it can no longer be bought."))
        elif action == "relist":
            catalog_services.product_relist(account=request.user, product_id=pk)
            messages.success(request, _("Back on sale."))
        else:
            raise Http404("No such action")
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    return redirect("shop:product_edit", product_id=pk)


@login_required
@require_POST
def variant_add(request: AuthedRequest, product_id: str) -> HttpResponse:
    pk = int_or_404(product_id)
    form = VariantForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("shop:product_edit", product_id=pk)
    try:
        catalog_services.variant_create(
            account=request.user,
            product_id=pk,
            name=form.cleaned_data["name"],
            price=form.cleaned_data["price"],
            stock=form.cleaned_data["stock"] or 0,
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Variant added."))
    return redirect("shop:product_edit", product_id=pk)


@login_required
@require_POST
def variant_action(request: AuthedRequest, variant_id: str, action: str) -> HttpResponse:
    pk = int_or_404(variant_id)
    product_id = request.POST.get("product_id", "")
    try:
        if action == "update":
            variant = catalog_services.variant_update(
                account=request.user,
                variant_id=pk,
                name=request.POST.get("name") or None,
                price=request.POST.get("price") or None,
                stock=request.POST.get("stock") or None,
            )
            messages.success(request, _("Variant saved."))
        elif action == "remove":
            variant = catalog_services.variant_remove(account=request.user, variant_id=pk)
            messages.success(request, _("Variant removed."))
        else:
            raise Http404("No such action")
        product_id = str(variant.product_id)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        show_error(request, error)
    product_pk = id_or_none(product_id)
    if product_pk is None:
        return redirect("shop:products")
    return redirect("shop:product_edit", product_id=product_pk)


# --------------------------------------------------------------------------------------------
# The public product page


AVAILABILITY = {True: "https://schema.org/InStock", False: "https://schema.org/OutOfStock"}


def _json_ld(request: HttpRequest, detail: ProductDetail) -> str:
    """schema.org Product + Offer, so that a link shared elsewhere renders as a product card."""
    product, card = detail.product, detail.card
    url = request.build_absolute_uri(card.url)
    if not product.on_sale:
        availability = "https://schema.org/Discontinued"
    else:
        availability = AVAILABILITY[card.available]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": product.description,
        "url": url,
        "sku": str(product.pk),
        "image": [request.build_absolute_uri(i.file.url) for i in detail.images],
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": format_amount(product.price_fen, product.currency),
            "priceCurrency": product.currency,
            "availability": availability,
            "inventoryLevel": {"@type": "QuantitativeValue", "value": card.stock or 0},
            "seller": {"@type": "Person", "name": product.seller.name},
        },
    }
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script>: no "</script>" or HTML comment can close it early.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def product_page(request: HtmxRequest, product_id: str) -> HttpResponse:
    try:
        detail = catalog_selectors.product_detail(product_id=int_or_404(product_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    product = detail.product
    me = viewer(request)
    image = detail.images[0].file.url if detail.images else ""
    # Opened from a post's card: a tap for that post, and the post rides along to the order
    # (Buy and Add to cart send it on, variants included).
    source = _source(request)
    if source and request.method == "GET" and not request.htmx:
        insight_services.tap_record(
            source_status_id=source,
            product_id=product.pk,
            viewer_id=me.pk if me is not None else None,
            bot=is_bot(request),
        )
    return render(
        request,
        "web/shop/product.html",
        {
            "detail": detail,
            "product": product,
            "card": detail.card,
            "json_ld": _json_ld(request, detail),
            "og_image": request.build_absolute_uri(image) if image else "",
            "og_url": request.build_absolute_uri(detail.card.url),
            "price_amount": format_amount(product.price_fen, product.currency),
            "is_owner": me is not None and me.pk == product.seller_id,
            "quantity": request.GET.get("quantity", "1"),
            "source": source,
        },
    )


def _source(request: HttpRequest) -> str:
    """The post a card was opened from (`?from=`), if it looks like an id."""
    text = request.GET.get("from", "")
    return text if text.isdigit() and 0 < int(text) < 2**63 else ""


# --------------------------------------------------------------------------------------------
# Third-party items


def item_page(request: HtmxRequest, item_id: str) -> HttpResponse:
    try:
        item = catalog_selectors.external_item_detail(item_id=int_or_404(item_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    return render(
        request,
        "web/shop/item.html",
        # Opened from a post's card: its Buy redirect counts the tap for that post.
        {"item": item, "card": catalog_selectors.item_card(item), "source": _source(request)},
    )


def item_go(request: HttpRequest, item_id: str) -> HttpResponse:
    """Count the click, then send the buyer to the item on its own site."""
    try:
        url = catalog_services.external_item_click(item_id=int_or_404(item_id))
    except NotFound as missing:
        raise Http404(missing.message) from None
    if source := _source(request):
        me = viewer(request)
        insight_services.tap_record(
            source_status_id=source,
            item_id=int(item_id),
            viewer_id=me.pk if me is not None else None,
            bot=is_bot(request),
        )
    # The address was checked (http or https) when the item was saved.
    return HttpResponseRedirect(url)


@login_required
def item_manual(request: AuthedRequest) -> HttpResponse:
    """Fill in a third-party item by hand when its page cannot be read; then back to the
    composer with the item picked."""
    if seller_of(request.user) is None:
        return _not_a_seller(request)
    form = ManualItemForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"url": request.GET.get("url", "")[:2000]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = catalog_services.external_item_manual(
                account=request.user,
                url=data["url"],
                title=data["title"],
                price=data["price"] or None,
                image=data["image"],
                image_url=data["image_url"],
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Item added; it is picked for your next post."))
            return redirect(reverse("web:compose") + f"?items={item.pk}")
    return render(
        request,
        "web/shop/item_manual.html",
        {"form": form, "tab": "compose"},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------------------------
# Shop pages


def shop(request: HtmxRequest, username: str) -> HttpResponse:
    account = account_or_404(username)
    page = catalog_selectors.shop_page(viewer=viewer(request), account=account)
    if page.seller is None:
        raise Http404("Not a seller")
    return render(
        request,
        "web/shop/shop.html",
        {
            "shop": page,
            "account": account,
            "statuses": fragments.render(request, [s.pk for s in page.posts]),
            "products": page.products,
        },
    )
