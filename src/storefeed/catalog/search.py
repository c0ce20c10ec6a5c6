"""Full-text search of products and third-party items (the shop's side of core/fulltext.py).

The index holds only words (`ProductSearch`, `ItemSearch`: title and description), written in
the transaction that writes the product or item. Everything that changes as things sell or
are managed (on sale or withdrawn, the seller active or suspended, price, stock, units sold)
is read live from the catalog's own tables in the search query, so a withdrawn product or a
suspended seller drops out at once and a sale never writes to the index.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from django.db import connection
from django.utils.translation import gettext as _

from storefeed.accounts.models import ExpertField, User
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
from storefeed.core.errors import ValidationFailed
from storefeed.core.money import parse_amount
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
                title=fulltext.document([title], vendor),
                # Everything, title included: one column answers "any match" (GIN-indexed on
                # PostgreSQL; concatenating two tsvectors per row cost a seq scan 180 ms).
                body=fulltext.document([title, description], vendor),
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


def product_filters(
    *,
    min_price: str | None = None,
    max_price: str | None = None,
    in_stock: bool = False,
    field: str | None = None,
    seller: str | None = None,
    sort: str = "relevance",
) -> ProductFilters:
    """The filters from what a person or client sent, checked (the API and the page share
    it): amounts, a range that is one, a known field slug and seller (id or username), a
    known sort. Refusals are ValidationFailed naming the field."""
    low, high = _price(min_price, "min_price"), _price(max_price, "max_price")
    if low is not None and high is not None and low > high:
        raise ValidationFailed(_("The lowest price is above the highest."), field="min_price")
    expert_field = None
    if field:
        expert_field = ExpertField.objects.filter(slug=field).first()
        if expert_field is None:
            raise ValidationFailed(_("There is no such field."), field="field")
    seller_id = None
    if seller:
        name = seller.strip().lstrip("@")
        by_id = (
            User.objects.filter(pk=int(name)) if name.isdigit() and int(name) < 1 << 63 else None
        )
        account = (by_id or User.objects.filter(username__iexact=name)).first()
        if account is None:
            raise ValidationFailed(_("There is no such account."), field="seller")
        seller_id = account.pk
    if sort not in SORTS:
        raise ValidationFailed(_("Choose how to sort."), field="sort")
    return ProductFilters(
        min_price_fen=low,
        max_price_fen=high,
        in_stock=in_stock,
        field=expert_field,
        seller_id=seller_id,
        sort=cast(Sort, sort),
    )


def _price(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    return parse_amount(value, field=field, allow_zero=True)


@dataclass(frozen=True)
class Hit:
    kind: Literal["product", "external"]
    id: int


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    total: int


class _Index:
    """How one index table is matched on this database: FROM, the row's id, and the match
    condition for every match ("all"), the title matches ("title") or the rest ("other").
    Relevance is title matches first, each part read newest first, so that a page in that
    order stops early in the index (bm25 over 30,000 matches cost 140 ms in bench/search.py)."""

    def __init__(self, model: Any, key: str, query: fulltext.Query) -> None:
        table = model._meta.db_table
        self.conditions: dict[str, tuple[str, list[object]]]
        if connection.vendor == "postgresql":
            q = fulltext.tsquery(query)
            self.source, self.key = f"{sql.table(model)} f", f"f.{key}"
            every = "f.body @@ %s::tsquery"  # what the GIN index answers
            self.conditions = {
                "all": (every, [q]),
                "title": (f"{every} AND f.title @@ %s::tsquery", [q, q]),
                "other": (f"{every} AND NOT (f.title @@ %s::tsquery)", [q, q]),
            }
        else:
            match = fulltext.fts5_match(query)
            in_title = "{title} : (" + match + ")"
            self.source, self.key = f"{table}_fts f", "f.rowid"
            self.conditions = {
                "all": (f"{table}_fts MATCH %s", [match]),
                "title": (f"{table}_fts MATCH %s", [in_title]),
                "other": (
                    f"{table}_fts MATCH %s AND f.rowid NOT IN"  # noqa: S608
                    f" (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s)",
                    [match, in_title],
                ),
            }


def _price_range(alias: str, filters: ProductFilters, where: list[str], params: list) -> None:
    for op, bound in ((">=", filters.min_price_fen), ("<=", filters.max_price_fen)):
        if bound is not None:
            where.append(f"{alias}.price_fen {op} %s")
            params.append(bound)


@dataclass(frozen=True)
class _Side:
    """Products or items: their index, the columns read, the join and the filters."""

    index: _Index
    kind: str
    columns: str
    table: str  # the live rows, joined by id as `alias`
    alias: str
    where: list[str]
    params: list[object]

    def sql(self, part: str, *, streamed: bool = False) -> tuple[str, list[object]]:
        """`streamed`: on PostgreSQL, join each match to its row one at a time (a LATERAL
        subquery it may not flatten), so that a LIMIT stops the scan early; its planner
        otherwise hashed every match first (a count to 1,000 of 38,000 matches: 134 ms)."""
        match, match_params = self.index.conditions[part]
        relevance = 1 if part == "other" else 0
        a, key = self.alias, self.index.key
        join = f"JOIN {self.table} {a} ON {a}.id = {key}"
        if streamed and connection.vendor == "postgresql":
            join = f"CROSS JOIN LATERAL (SELECT * FROM {self.table} {a}0 WHERE {a}0.id = {key} OFFSET 0) {a}"  # noqa: S608
        query = (
            f"SELECT '{self.kind}' AS kind, {key} AS id, {relevance} AS relevance,"  # noqa: S608
            f" {self.columns} FROM {self.index.source} {join}"
            f" WHERE {' AND '.join([match, *self.where])}"
        )
        return query, [*match_params, *self.params]


def _products(query: fulltext.Query, filters: ProductFilters) -> _Side:
    index = _Index(ProductSearch, "product_id", query)
    sellers, variants = sql.table(Seller), sql.table(Variant)
    # Sellers are few and read once (a set), not joined per matching product.
    where = [
        "p.status = %s",
        f"p.seller_id NOT IN (SELECT account_id FROM {sellers} WHERE state <> %s)",  # noqa: S608
    ]
    params: list[object] = [ProductStatus.ON_SALE, SellerState.ACTIVE]
    # SQLite's unary plus keeps it from driving the query from a seller's (or a field's
    # sellers') products and checking each against FTS5, which costs far more per row than
    # the other way round (bench/search.py: a field 120 ms instead of 27, a seller 45 vs 18).
    unindexed = "+" if connection.vendor == "sqlite" else ""
    _price_range("p", filters, where, params)
    if filters.in_stock:
        where.append(
            f"(p.stock > 0 OR (p.has_variants AND EXISTS (SELECT 1 FROM {variants} v"  # noqa: S608
            " WHERE v.product_id = p.id AND v.is_active AND v.stock > 0)))"
        )
    if filters.seller_id is not None:
        where.append(f"{unindexed}p.seller_id = %s")
        params.append(filters.seller_id)
    if filters.field is not None:
        of_field = f"SELECT account_id FROM {sellers} WHERE field_id = %s"  # noqa: S608
        where.append(f"{unindexed}p.seller_id IN ({of_field})")
        params.append(filters.field.pk)
    sold = "0"
    if filters.sort == "best_selling":  # units taken: the only order that reads stock
        units = f"SELECT COALESCE(SUM(v.stock_added - v.stock), 0) FROM {variants} v"  # noqa: S608
        sold = (
            f"CASE WHEN p.has_variants THEN ({units} WHERE v.product_id = p.id)"
            " ELSE p.stock_added - p.stock END"
        )
    columns = f"p.price_fen AS price, {sold} AS sold"
    return _Side(index, "product", columns, sql.table(Product), "p", where, params)


def _items(query: fulltext.Query, filters: ProductFilters) -> _Side | None:
    """Third-party items are nobody's stock: a seller or field filter leaves them out."""
    if filters.seller_id is not None or filters.field is not None:
        return None
    index = _Index(ItemSearch, "item_id", query)
    where: list[str] = []
    params: list[object] = []
    _price_range("i", filters, where, params)
    if filters.in_stock:
        where.append("i.availability = %s")
        params.append(Availability.IN_STOCK)
    columns = "i.price_fen AS price, 0 AS sold"
    return _Side(index, "external", columns, sql.table(ExternalItem), "i", where, params)


_ORDER: dict[Sort, str] = {
    # Title matches first, then the newest: cheap and easy to explain (see docs).
    "relevance": "relevance ASC, id DESC",
    "newest": "id DESC",
    # An item without a known price comes last either way.
    "price_asc": "CASE WHEN price IS NULL THEN 1 ELSE 0 END, price ASC, id DESC",
    "price_desc": "CASE WHEN price IS NULL THEN 1 ELSE 0 END, price DESC, id DESC",
    "best_selling": "sold DESC, id DESC",
}
# Counted up to this many: a count visits every match it counts (with its live row), and
# 10,000 cost 50 ms in bench/search.py on a loaded machine; "1,000+" is what a page shows.
MAX_TOTAL = 1_000


def product_search(
    *, query: fulltext.Query, filters: ProductFilters, offset: int = 0, limit: int = 20
) -> Found:
    """Products on sale by active sellers and third-party items matching `query` and the
    filters, one page in the order asked for, and how many there are (up to MAX_TOTAL)."""
    if query.empty:
        return Found(hits=[], total=0)
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    sides = [side for side in (_products(query, filters), _items(query, filters)) if side]
    order = _ORDER[filters.sort]
    # Each part is cut to its first offset + limit in the page's order before the parts are
    # merged, so that ordering by id stops early in the index instead of sorting every match.
    split = ("title", "other") if filters.sort == "relevance" else ("all",)
    parts = [side.sql(part) for side in sides for part in split]
    ordered = " UNION ALL ".join(
        # (A subquery of its own: PostgreSQL orders by output names only when bare.)
        f"SELECT * FROM (SELECT * FROM ({text}) AS side{n}"  # noqa: S608
        f" ORDER BY {order} LIMIT {offset + limit}) AS part{n}"
        for n, (text, _p) in enumerate(parts)
    )
    rows = (
        []
        if offset > MAX_OFFSET
        else sql.rows(
            f"SELECT kind, id FROM ({ordered}) AS found"  # noqa: S608
            f" ORDER BY {order} LIMIT %s OFFSET %s",
            [*(p for _text, ps in parts for p in ps), limit, offset],
        )
    )
    # Without filters of their own nearly every match counts, so a streamed count reaches
    # MAX_TOTAL after about as many rows; with them most matches fail the filters, and
    # hashing the matches once is cheaper than looking each row up.
    plain = filters == ProductFilters(sort=filters.sort)
    counted = [side.sql("all", streamed=plain) for side in sides]
    union = " UNION ALL ".join(
        f"SELECT 1 AS one FROM ({text}) AS part{n}"  # noqa: S608
        for n, (text, _p) in enumerate(counted)
    )
    total = sql.rows(
        f"SELECT COUNT(*) FROM (SELECT one FROM ({union}) AS found LIMIT %s) AS capped",  # noqa: S608
        [*(p for _text, ps in counted for p in ps), MAX_TOTAL],
    )[0][0]
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
