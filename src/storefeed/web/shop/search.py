"""The search page's products tab (commerce): the catalog's search, filters checked by its
own parser, each result as the card the timelines show."""

from typing import Any

from storefeed.accounts.selectors import expert_fields
from storefeed.catalog import search
from storefeed.catalog.models import Product
from storefeed.catalog.selectors import item_card
from storefeed.core import fulltext
from storefeed.core.errors import ValidationFailed

PAGE = 20


def product_fields() -> list[Any]:
    """The expert fields the filter offers."""
    return expert_fields()


def product_results(query: fulltext.Query, data: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"fields": product_fields(), "cards": [], "total": 0}
    try:
        filters = search.product_filters(
            min_price=data.get("min_price") or None,
            max_price=data.get("max_price") or None,
            in_stock=bool(data.get("in_stock")),
            field=data.get("field") or None,
            sort=data.get("sort") or "relevance",
        )
    except ValidationFailed as refused:
        return {**context, "filter_error": str(refused.message)}
    offset = data.get("offset") or 0
    found = search.product_search(query=query, filters=filters, offset=offset, limit=PAGE)
    cards = [
        thing.card if isinstance(thing, Product) else item_card(thing)  # type: ignore[attr-defined]
        for thing in search.products_and_items(found.hits)
    ]
    more = len(cards) == PAGE and (offset + PAGE < found.total or found.total >= search.MAX_TOTAL)
    return {
        **context,
        "cards": cards,
        "total": found.total,
        "max_total": search.MAX_TOTAL,
        "next_offset": offset + PAGE if more else None,
        "prev_offset": max(0, offset - PAGE) if offset else None,
    }
