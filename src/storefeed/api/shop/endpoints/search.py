"""Shop API: product search, `GET /products/search` (catalog/search.py does the work)."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from storefeed.api.shop.auth import READ
from storefeed.api.shop.common import ERRORS, Amount
from storefeed.api.shop.endpoints.catalog import (
    ItemOut,
    ProductOut,
    _products_response,
    render_item,
)
from storefeed.catalog import search
from storefeed.catalog.models import Product
from storefeed.core import fulltext
from storefeed.core.errors import ValidationFailed

router = Router(tags=["catalog"])


class SearchQuery(Schema):
    q: str = ""
    min_price: Amount | None = None
    max_price: Amount | None = None
    in_stock: bool = False
    field: str | None = None  # an expert field's slug ("beauty")
    seller: str | None = None  # an account id or username
    sort: search.Sort = "relevance"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class ProductHit(ProductOut):
    kind: Literal["product"] = "product"


class SearchOut(Schema):
    results: list[ProductHit | ItemOut]
    total: int


@router.get("/products/search", auth=READ, response={200: SearchOut, **ERRORS})
def product_search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    """Products on sale and third-party items whose title or description match `q` (Chinese
    and English), filtered and sorted; `total` counts every match. A page past the end is
    empty; a blank `q` is refused."""
    parsed = fulltext.parse(query.q)
    if not parsed.text:
        raise ValidationFailed(_("Type something to search for."), field="q")
    filters = search.product_filters(
        min_price=query.min_price,
        max_price=query.max_price,
        in_stock=query.in_stock,
        field=query.field,
        seller=query.seller,
        sort=query.sort,
    )
    found = search.product_search(
        query=parsed, filters=filters, offset=query.offset, limit=query.limit
    )
    things = search.products_and_items(found.hits)
    products = [t for t in things if isinstance(t, Product)]
    rendered = {("product", p["id"]): p for p in _products_response(request, products)}
    results = []
    for thing in things:
        if isinstance(thing, Product):
            results.append({**rendered[("product", str(thing.pk))], "kind": "product"})
        else:
            results.append(render_item(request, thing))
    return {"results": results, "total": found.total}
