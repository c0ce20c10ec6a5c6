"""Shop API: product search, `GET /products/search` (catalog/search.py does the work)."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from storefeed.accounts.models import ExpertField, User
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
from storefeed.core.money import parse_amount

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


def _price(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    return parse_amount(value, field=field, allow_zero=True)


def filters_from(query: SearchQuery) -> search.ProductFilters:
    """The filters, checked: a known field and seller, a price range that is one."""
    low, high = _price(query.min_price, "min_price"), _price(query.max_price, "max_price")
    if low is not None and high is not None and low > high:
        raise ValidationFailed(_("The lowest price is above the highest."), field="min_price")
    field = None
    if query.field:
        field = ExpertField.objects.filter(slug=query.field).first()
        if field is None:
            raise ValidationFailed(_("There is no such field."), field="field")
    seller_id = None
    if query.seller:
        name = query.seller.strip().lstrip("@")
        seller = User.objects.filter(pk=int(name)) if name.isdigit() and len(name) < 20 else None
        account = (seller or User.objects.filter(username__iexact=name)).first()
        if account is None:
            raise ValidationFailed(_("There is no such account."), field="seller")
        seller_id = account.pk
    return search.ProductFilters(
        min_price_fen=low,
        max_price_fen=high,
        in_stock=query.in_stock,
        field=field,
        seller_id=seller_id,
        sort=query.sort,
    )


@router.get("/products/search", auth=READ, response={200: SearchOut, **ERRORS})
def product_search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    """Products on sale and third-party items whose title or description match `q` (Chinese
    and English), filtered and sorted; `total` counts every match. A page past the end is
    empty; a blank `q` is refused."""
    parsed = fulltext.parse(query.q)
    if not parsed.text:
        raise ValidationFailed(_("Type something to search for."), field="q")
    found = search.product_search(
        query=parsed, filters=filters_from(query), offset=query.offset, limit=query.limit
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
