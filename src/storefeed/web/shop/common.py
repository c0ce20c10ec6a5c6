"""Small helpers the commerce pages share: ids from URLs, the seller check (and staff-only
views, from the page views' helpers)."""

import secrets
from typing import Any

from django.http import Http404

from storefeed.core.parse import id_or_none
from storefeed.sellers import selectors as seller_selectors
from storefeed.sellers.models import Seller
from storefeed.web.views.helpers import staff_required

__all__ = ["int_or_404", "new_key", "own_seller_state", "seller_of", "staff_required"]


def int_or_404(value: object) -> int:
    pk = id_or_none(value if isinstance(value, int) else str(value))
    if pk is None:
        raise Http404("No such thing")
    return pk


def seller_of(account: Any) -> Seller | None:
    return seller_selectors.seller_for(account.pk)


def own_seller_state(request: Any) -> str | None:
    """The signed-in account's seller state (active or suspended) or None, read once per
    request: the menu and the composer's product picker both ask."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_storefeed_seller_state"):
        request._storefeed_seller_state = seller_selectors.seller_state(request.user.pk)
    return request._storefeed_seller_state


def new_key() -> str:
    """An idempotency key for one shown money form: submitting it twice moves money once."""
    return "web-" + secrets.token_urlsafe(18)
