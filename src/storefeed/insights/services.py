"""Writes of the insight: taps and adds to cart, attributed to the post they came from."""

import datetime as dt
from typing import Any

from django.db import transaction

from storefeed.catalog.models import PostProduct, Product
from storefeed.insights.counting import record_event
from storefeed.insights.models import EventKind, PostDay, ProductDay
from storefeed.posts.models import Status
from storefeed.promotions.services import placements_tapped


def _carrying_post(
    source_status_id: object, *, product_id: int | None, item_id: int | None
) -> tuple[int, int] | None:
    """(the post, its author) when `source_status_id` is a post, or a repost of one, that
    carries the product or item; None otherwise (attribution never refuses anything)."""
    text = str(source_status_id or "")
    if not text.isdigit() or not 0 < int(text) < 2**63:
        return None
    row = Status.objects.filter(pk=int(text)).values_list("reblog_of_id", "account_id").first()
    if row is None:
        return None
    original = row[0] or int(text)
    link = PostProduct.objects.filter(status_id=original)
    link = (
        link.filter(product_id=product_id) if product_id else link.filter(external_item_id=item_id)
    )
    author = link.values_list("status__account_id", flat=True).first()
    return None if author is None else (original, author)


def tap_record(
    *,
    source_status_id: object,
    viewer_id: int | None,
    bot: bool,
    product_id: int | None = None,
    item_id: int | None = None,
) -> bool:
    """A card opened: the product page reached from a post (`?from=`), or a third-party item's
    Buy redirect. Counted for the post (and the product) unless it is the seller's own tap, a
    bot's, or `source_status_id` is not a post carrying it. Whether it was counted."""
    if bot:
        return False
    found = _carrying_post(source_status_id, product_id=product_id, item_id=item_id)
    if found is None or found[1] == viewer_id:
        return False
    record_event(kind=EventKind.TAP, status_id=found[0], product_id=product_id)
    if viewer_id is not None:  # a promotion's own line: taps by people it was shown to
        placements_tapped(viewer_id=viewer_id, status_id=found[0])
    return True


def cart_add_record(*, product_id: int, source_status_id: object) -> None:
    """A product put in a cart: counted for the product, and for the post it came from."""
    found = _carrying_post(source_status_id, product_id=product_id, item_id=None)
    record_event(kind=EventKind.CART, status_id=found[0] if found else None, product_id=product_id)


def insight_history_import(
    *,
    post_days: dict[tuple[dt.date, int], dict[str, int]],
    product_days: dict[tuple[dt.date, int], dict[str, int]],
) -> int:
    """Daily counts from elsewhere (the demo's month before it was built): rows for days not
    counted yet; a day already counted is never replaced. How many rows were written."""
    with transaction.atomic(durable=True):
        return _import(PostDay, "status_id", post_days, _owners(Status, post_days)) + _import(
            ProductDay, "product_id", product_days, _owners(Product, product_days)
        )


def _import(
    model: Any, id_field: str, values: dict[tuple[dt.date, int], dict[str, int]], owners: dict
) -> int:
    counted = set(
        model.objects.filter(**{f"{id_field}__in": set(owners)}).values_list("day", id_field)
    )
    rows = [
        model(day=day, seller_id=owners[pk], **{id_field: pk}, **counts)
        for (day, pk), counts in values.items()
        if pk in owners and (day, pk) not in counted
    ]
    model.objects.bulk_create(rows)
    return len(rows)


def _owners(model: Any, values: dict[tuple[dt.date, int], Any]) -> dict[int, int]:
    owner = "account_id" if model is Status else "seller_id"
    ids = {pk for _day, pk in values}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", owner))
