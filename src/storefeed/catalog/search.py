"""Full-text search of products and third-party items (the shop's side of core/fulltext.py).

The index holds only words (`ProductSearch`, `ItemSearch`: title and description), written in
the transaction that writes the product or item. Everything that changes as things sell or
are managed (on sale or withdrawn, the seller active or suspended, price, stock, units sold)
is read live from the catalog's own tables in the search query, so a withdrawn product or a
suspended seller drops out at once and a sale never writes to the index.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection

from storefeed.accounts.models import ExpertField
from storefeed.catalog.models import (
    Availability,
    ExternalItem,
    ItemSearch,
    Product,
    ProductSearch,
    ProductStatus,
    Variant,
)
from storefeed.catalog.selectors import products_with_cards
from storefeed.core import fulltext, sql
from storefeed.sellers.models import Seller, SellerState

Sort = Literal["relevance", "newest", "price_asc", "price_desc", "best_selling"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "price_asc", "price_desc", "best_selling")
MAX_OFFSET = 10_000


def _write(model: Any, key: str, rows: Iterable[tuple[int, str, str]]) -> None:
    vendor = connection.vendor
    model.objects.bulk_create(
        [
            model(
                **{key: pk},
                title=fulltext.document([title], vendor, "A"),
                body=fulltext.document([description], vendor, "B"),
            )
            for pk, title, description in rows
        ],
        update_conflicts=True,
        unique_fields=[key.removesuffix("_id")],
        update_fields=["title", "body"],
    )


def product_index(product_ids: Iterable[int]) -> None:
    """(Re)write the index rows of these products from their title and description."""
    ids = list(product_ids)
    if ids:
        rows = Product.objects.filter(pk__in=ids).values_list("pk", "title", "description")
        _write(ProductSearch, "product_id", rows)


def item_index(item_ids: Iterable[int]) -> None:
    ids = list(item_ids)
    if ids:
        rows = ExternalItem.objects.filter(pk__in=ids).values_list("pk", "title", "description")
        _write(ItemSearch, "item_id", rows)


def catalog_index_rebuild(*, batch: int = 2000) -> int:
    """Index every product and item again."""
    done = 0
    for model, index in ((Product, product_index), (ExternalItem, item_index)):
        last = 0
        while ids := list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        ):
            index(ids)
            done += len(ids)
            last = ids[-1]
    return done


@dataclass(frozen=True)
class ProductFilters:
    """Parsed and checked by the caller (the API's and the page's strict parsers)."""

    min_price_fen: int | None = None
    max_price_fen: int | None = None
    in_stock: bool = False
    field: ExpertField | None = None
    seller_id: int | None = None
    sort: Sort = "relevance"


@dataclass(frozen=True)
class Hit:
    kind: Literal["product", "external"]
    id: int


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    total: int


def _match(table: str) -> tuple[str, str, str]:
    """(FROM clause, match condition, relevance expression: smaller is better)."""
    if connection.vendor == "postgresql":
        return (
            f"{table} f",
            "(f.title || f.body) @@ %s::tsquery",
            "-ts_rank(f.title || f.body, %s::tsquery)",
        )
    # bm25 is negative, more negative for better matches; a match in the title weighs 10.
    return f"{table}_fts f", f"{table}_fts MATCH %s", f"bm25({table}_fts, 10.0, 1.0)"


def _select(
    columns: str, source: str, joins: str, where: list[str], params: list, q: str
) -> tuple[str, list[object]]:
    # On PostgreSQL the relevance column (ts_rank) takes the query as a parameter too.
    rel_params = [q] if connection.vendor == "postgresql" else []
    query = f"SELECT {columns} FROM {source} {joins} WHERE {' AND '.join(where)}"  # noqa: S608
    return query, [*rel_params, *params]


def _price_range(alias: str, filters: ProductFilters, where: list[str], params: list) -> None:
    for op, bound in ((">=", filters.min_price_fen), ("<=", filters.max_price_fen)):
        if bound is not None:
            where.append(f"{alias}.price_fen {op} %s")
            params.append(bound)


def _products_sql(q: str, filters: ProductFilters) -> tuple[str, list[object]]:
    source, match, relevance = _match(ProductSearch._meta.db_table)
    key = "f.product_id" if connection.vendor == "postgresql" else "f.rowid"
    variants = sql.table(Variant)
    variant_units = (
        f"(SELECT COALESCE(SUM(v.stock_added - v.stock), 0) FROM {variants} v"  # noqa: S608
        " WHERE v.product_id = p.id)"
    )
    where = [
        match,
        "p.status = %s",
        "se.state = %s",
    ]
    params: list[object] = [q, ProductStatus.ON_SALE, SellerState.ACTIVE]
    _price_range("p", filters, where, params)
    if filters.in_stock:
        where.append(
            f"(p.stock > 0 OR (p.has_variants AND EXISTS (SELECT 1 FROM {variants} v"  # noqa: S608
            f" WHERE v.product_id = p.id AND v.is_active AND v.stock > 0)))"
        )
    if filters.seller_id is not None:
        where.append("p.seller_id = %s")
        params.append(filters.seller_id)
    if filters.field is not None:
        where.append("se.field_id = %s")
        params.append(filters.field.pk)
    columns = (
        f"'product' AS kind, p.id AS id, {relevance} AS relevance, p.price_fen AS price,"
        f" CASE WHEN p.has_variants THEN {variant_units} ELSE p.stock_added - p.stock END AS sold"
    )
    joins = (
        f"JOIN {sql.table(Product)} p ON p.id = {key}"
        f" JOIN {sql.table(Seller)} se ON se.account_id = p.seller_id"
    )
    return _select(columns, source, joins, where, params, q)


def _items_sql(q: str, filters: ProductFilters) -> tuple[str, list[object]] | None:
    """Third-party items are nobody's stock: a seller or field filter leaves them out."""
    if filters.seller_id is not None or filters.field is not None:
        return None
    source, match, relevance = _match(ItemSearch._meta.db_table)
    key = "f.item_id" if connection.vendor == "postgresql" else "f.rowid"
    where = [match]
    params: list[object] = [q]
    _price_range("i", filters, where, params)
    if filters.in_stock:
        where.append("i.availability = %s")
        params.append(Availability.IN_STOCK)
    columns = (
        f"'external' AS kind, i.id AS id, {relevance} AS relevance, i.price_fen AS price, 0 AS sold"
    )
    joins = f"JOIN {sql.table(ExternalItem)} i ON i.id = {key}"
    return _select(columns, source, joins, where, params, q)


_ORDER: dict[Sort, str] = {
    "relevance": "relevance ASC, id DESC",
    "newest": "id DESC",
    # An item without a known price comes last either way.
    "price_asc": "CASE WHEN price IS NULL THEN 1 ELSE 0 END, price ASC, id DESC",
    "price_desc": "CASE WHEN price IS NULL THEN 1 ELSE 0 END, price DESC, id DESC",
    "best_selling": "sold DESC, id DESC",
}


def product_search(
    *, query: fulltext.Query, filters: ProductFilters, offset: int = 0, limit: int = 20
) -> Found:
    """Products on sale by active sellers and third-party items matching `query` and the
    filters, one page in the order asked for, and how many there are in all."""
    if query.empty:
        return Found(hits=[], total=0)
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    q = fulltext.tsquery(query) if connection.vendor == "postgresql" else fulltext.fts5_match(query)
    parts = [_products_sql(q, filters)]
    items = _items_sql(q, filters)
    if items is not None:
        parts.append(items)
    union = " UNION ALL ".join(
        f"SELECT * FROM ({text}) AS part{n}"  # noqa: S608
        for n, (text, _p) in enumerate(parts)
    )
    params = [p for _text, part_params in parts for p in part_params]
    rows = (
        []
        if offset > MAX_OFFSET
        else sql.rows(
            f"SELECT kind, id FROM ({union}) AS found"  # noqa: S608
            f" ORDER BY {_ORDER[filters.sort]} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
    )
    total = sql.rows(f"SELECT COUNT(*) FROM ({union}) AS found", params)[0][0]  # noqa: S608
    return Found(hits=[Hit(kind=kind, id=int(pk)) for kind, pk in rows], total=int(total))


def products_and_items(hits: list[Hit]) -> list[Product | ExternalItem]:
    """The products (each with `.card`, as the catalog's lists) and items of a page of hits,
    in its order, in three queries whatever its size."""
    products = {p.pk: p for p in products_with_cards([h.id for h in hits if h.kind == "product"])}
    items = ExternalItem.objects.in_bulk([h.id for h in hits if h.kind == "external"])
    found: list[Product | ExternalItem] = []
    for hit in hits:
        thing = products.get(hit.id) if hit.kind == "product" else items.get(hit.id)
        if thing is not None:
            found.append(thing)
    return found
