"""Small helpers the commerce pages share: staff-only views, ids from URLs, the seller check."""

import functools
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from storefeed.core.parse import id_or_none
from storefeed.sellers import selectors as seller_selectors
from storefeed.sellers.models import Seller


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only; anyone else signed in gets 403 (visitors go to sign in)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("Staff only")
        return view(request, *args, **kwargs)

    return wrapped


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
