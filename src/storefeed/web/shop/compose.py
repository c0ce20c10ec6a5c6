"""The composer's product picker: a seller's products on sale as checkboxes, third-party items
picked by pasting a link or share text (resolved with a preview of the card, or filled in by
hand when the page cannot be read), and posting them with the text.

The microblog's compose view calls in here only when commerce is installed."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from storefeed.catalog import selectors as catalog_selectors
from storefeed.catalog import services as catalog_services
from storefeed.catalog.errors import ItemUnreadable
from storefeed.catalog.models import MAX_ITEMS_PER_POST, ExternalItem
from storefeed.catalog.selectors import ProductCard
from storefeed.core.errors import DomainError
from storefeed.core.parse import id_or_none
from storefeed.posts.models import Status
from storefeed.sellers.models import SellerState
from storefeed.web.shop.common import own_seller_state
from storefeed.web.views.helpers import AuthedRequest

PICKER_PRODUCTS = 60


@dataclass
class Picked:
    product_ids: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    link: str = ""

    def __bool__(self) -> bool:
        return bool(self.product_ids or self.item_ids or self.link)


def picked(request: HttpRequest) -> Picked:
    return Picked(
        product_ids=[v for v in request.POST.getlist("product_ids") if v],
        item_ids=[v for v in request.POST.getlist("external_item_ids") if v],
        link=request.POST.get("item_link", "").strip(),
    )


def resolve_link(*, account: Any, chosen: Picked) -> Picked:
    """Resolve a pasted link before anything is written (a network call, outside any
    transaction); ItemUnreadable tells the seller to fill the item in by hand."""
    if not chosen.link:
        return chosen
    item = catalog_services.external_item_resolve(account=account, text=chosen.link)
    ids = list(chosen.item_ids)
    if str(item.pk) not in ids:
        ids.append(str(item.pk))
    return Picked(product_ids=chosen.product_ids, item_ids=ids)


def post(*, account: Any, chosen: Picked, **fields: Any) -> Status:
    return catalog_services.product_post_create(
        account=account,
        product_ids=chosen.product_ids,
        external_item_ids=chosen.item_ids,
        **fields,
    )


def picker_for(request: HttpRequest) -> dict[str, Any] | None:
    """What the composer shows an active seller: their products on sale (the ones picked
    checked) and the third-party items picked so far. None for everyone else."""
    user = request.user
    if own_seller_state(request) != SellerState.ACTIVE:
        return None
    source = request.POST if request.method == "POST" else request.GET
    chosen_products = set(source.getlist("product_ids") or source.getlist("products"))
    chosen_items = source.getlist("external_item_ids") or source.getlist("items")
    products = catalog_selectors.seller_products(seller=user, limit=PICKER_PRODUCTS)  # type: ignore[arg-type]
    item_pks = [pk for pk in map(id_or_none, chosen_items) if pk][:MAX_ITEMS_PER_POST]
    items = [catalog_selectors.item_card(i) for i in ExternalItem.objects.filter(pk__in=item_pks)]
    return {
        "products": [(p.card, str(p.pk) in chosen_products) for p in products],  # type: ignore[attr-defined]
        "items": items,
        "max": MAX_ITEMS_PER_POST,
        "link": source.get("item_link", "") if request.method == "POST" else "",
    }


@login_required
@require_POST
def item_preview(request: AuthedRequest) -> HttpResponse:
    """htmx: resolve the pasted link and answer with the picked card (a checked checkbox),
    or with the refusal and a way to fill the item in by hand (200 either way: htmx swaps
    only successful answers)."""
    text = request.POST.get("item_link", "")
    try:
        item = catalog_services.external_item_resolve(account=request.user, text=text)
    except ItemUnreadable as error:
        partial = error.details.get("partial") or {}
        return render(
            request,
            "web/shop/_item_unreadable.html",
            {
                "error": error.message,
                "manual_url": reverse("shop:item_manual"),
                "url": partial.get("url") or text.strip(),
                "title": partial.get("title") or "",
            },
        )
    except DomainError as error:
        return render(request, "web/shop/_item_unreadable.html", {"error": error.message})
    card: ProductCard = catalog_selectors.item_card(item)
    return render(request, "web/shop/_picked_item.html", {"card": card})
