"""Checks shared by the catalog's services: the active seller, titles, descriptions,
currency, quantities, ids, and the limits they enforce."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.models import (
    Product,
)
from storefeed.catalog.selectors import product_for_seller
from storefeed.core.errors import ValidationFailed
from storefeed.core.money import DEFAULT_CURRENCY
from storefeed.core.parse import id_or_none, parse_count, parse_id
from storefeed.core.text import clean_plain
from storefeed.sellers.errors import NotASeller
from storefeed.sellers.models import Seller, SellerState

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
MAX_STOCK = 1_000_000
MAX_VARIANTS = 50
VARIANT_NAME_MAX = 60


def require_active_seller(account: User) -> Seller:
    """The approved, active seller behind `account`, or NotASeller with what to do."""
    seller = Seller.objects.filter(account_id=account.pk).first()
    if seller is None or not account.is_active:
        raise NotASeller(
            _("Only approved sellers can sell. Apply to the seller program first."),
            field="account",
        )
    if seller.state != SellerState.ACTIVE:
        raise NotASeller(
            _("Your shop is suspended; you cannot sell or post products until it is reinstated."),
            field="account",
        )
    return seller


def _title(value: object, *, field: str = "title", max_length: int = TITLE_MAX) -> str:
    # Titles stay plain text: whatever HTML is typed is kept as characters and escaped when
    # shown, never interpreted.
    title = clean_plain(str(value or ""))
    if not title:
        raise ValidationFailed(_("Give it a title."), field=field)
    if len(title) > max_length:
        raise ValidationFailed(
            _("Titles can be at most %(max)s characters; this one has %(count)s.")
            % {"max": max_length, "count": len(title)},
            field=field,
        )
    return title


def _description(value: object) -> str:
    description = clean_plain(str(value or ""), multiline=True)
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            _("Descriptions can be at most %(max)s characters.") % {"max": f"{DESCRIPTION_MAX:,}"},
            field="description",
        )
    return description


def _currency(value: object) -> str:
    currency = str(value or DEFAULT_CURRENCY).strip().upper()
    if currency != DEFAULT_CURRENCY:
        raise ValidationFailed(_("Prices are in CNY (yuan)."), field="currency")
    return currency


def _quantity(value: object, *, field: str, allow_negative: bool = False) -> int:
    """A whole number of units (ASCII digits or a JSON integer, core.parse.parse_count), within
    sane bounds; a leading "-" (or a negative integer) only for a change of stock."""
    negative = False
    if allow_negative:
        if isinstance(value, str) and value.startswith("-"):
            negative, value = True, value[1:]
        elif isinstance(value, int) and not isinstance(value, bool) and value < 0:
            negative, value = True, -value
    try:
        units = parse_count(value, field=field, maximum=10**18)
    except ValidationFailed:
        negative_int = isinstance(value, int) and not isinstance(value, bool) and value < 0
        if negative_int or (isinstance(value, str) and id_or_none(value[1:]) and value[0] == "-"):
            raise ValidationFailed(_("Stock cannot be negative."), field=field) from None
        raise ValidationFailed(_("Enter a whole number of units, like 12."), field=field) from None
    if units > MAX_STOCK:
        raise ValidationFailed(
            _("Stock can be at most %(max)s units.") % {"max": f"{MAX_STOCK:,}"}, field=field
        )
    return -units if negative else units


def _ids(values: Iterable[object], *, field: str, what: str) -> list[int]:
    try:
        ids = [parse_id(v, field=field) for v in values]
    except ValidationFailed:
        raise ValidationFailed(_("Unknown %(what)s.") % {"what": what}, field=field) from None
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            _("The same %(what)s was added twice.") % {"what": what}, field=field
        )
    return ids


def _own_product(account: User, product_id: object, *, lock: bool = False) -> Product:
    return product_for_seller(seller=account, product_id=product_id, lock=lock)
