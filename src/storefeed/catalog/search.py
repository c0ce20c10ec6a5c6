"""Full-text search of products and third-party items (the shop's side of core/fulltext.py).

A product's index row (`ProductSearch`) holds its words (title; title and description) and
what searches filter and sort on: listed (on sale by an active seller), in stock, price,
seller, the seller's field, all written in the transaction of every write that changes them
(`product_state`, from `services.product_changed` and a seller's suspension or
reinstatement), and the units sold, which the worker keeps (`sold_refresh`), so that a sale
writes here only when it empties the stock. A search then reads the index rows alone: the
orders that cannot stop early in the words' index (price, best selling) walk an index in
that order and check each row's words, and stop after a page. Third-party items are few
and are joined to their live rows (`ItemSearch`: words only).
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
    """(Re)write the index rows of these products from their title and description, and
    their state (`product_state`)."""
    ids = list(product_ids)
    if ids:
        rows = Product.objects.filter(pk__in=ids).values_list("pk", "title", "description")
        _write(ProductSearch, "product_id", rows)
        product_state(ids)


def _state_update(where: str, params: list[object]) -> int:
    return sql.execute(*_state_statement(where, params))


def _state_statement(where: str, params: list[object]) -> sql.Statement:
    """Set the state columns of the index rows of the products `where` (over `p`, the
    product) picks from the live rows, writing only the rows that differ (so a sale that
    leaves stock writes nothing here). One statement, on both databases."""
    products, sellers, variants = sql.table(Product), sql.table(Seller), sql.table(Variant)
    index = sql.table(ProductSearch)
    live = (
        f"SELECT p.id AS id,"  # noqa: S608
        f" (p.status = %s AND COALESCE(s.state = %s, FALSE)) AS listed,"
        f" (p.stock > 0 OR (p.has_variants AND EXISTS (SELECT 1 FROM {variants} v"
        f" WHERE v.product_id = p.id AND v.is_active AND v.stock > 0))) AS in_stock,"
        f" p.price_fen AS price_fen, p.seller_id AS seller_id,"
        f" COALESCE(s.field_id, 0) AS field_id"
        f" FROM {products} p LEFT JOIN {sellers} s ON s.account_id = p.seller_id WHERE {where}"
    )
    return (
        f"UPDATE {index} SET listed = x.listed, in_stock = x.in_stock,"  # noqa: S608
        " price_fen = x.price_fen, seller_id = x.seller_id, field_id = x.field_id"
        f" FROM ({live}) AS x WHERE {index}.product_id = x.id AND ({index}.listed <> x.listed"
        f" OR {index}.in_stock <> x.in_stock OR {index}.price_fen <> x.price_fen"
        f" OR {index}.seller_id <> x.seller_id OR {index}.field_id <> x.field_id)",
        [ProductStatus.ON_SALE, SellerState.ACTIVE, *params],
    )


def product_state(product_ids: Iterable[int]) -> None:
    """Bring these products' index rows in step with what they are now: on sale or not, their
    seller active, in stock, price. In the caller's transaction (every write that moves
    one of these calls it through `services.product_changed`)."""
    ids = sorted(set(product_ids))
    if ids:
        _state_update(f"p.id IN ({sql.placeholders(ids)})", list(ids))


def product_state_statement(product_ids: Iterable[int]) -> sql.Statement:
    """`product_state` as one statement for a caller that sends it with others (checkout
    sends it in its batch, after the stock's; `services.product_changed(indexed=True)`)."""
    ids = sorted(set(product_ids))
    # It writes only rows that differ: changing none is no refusal in a committing batch.
    return sql.optional(_state_statement(f"p.id IN ({sql.placeholders(ids)})", list(ids)))


def seller_state(seller_id: int) -> None:
    """A seller suspended or reinstated: every product of theirs listed or not at once."""
    _state_update("p.seller_id = %s", [seller_id])


def sold_refresh() -> int:
    """Units sold (taken: paid or reserved, as `stock_added - stock`) into the index rows that
    differ; the worker runs it (a periodic task), so best-selling lags sales by at most its
    period and a sale never waits on it. How many rows changed."""
    products, variants, index = sql.table(Product), sql.table(Variant), sql.table(ProductSearch)
    taken = (
        f"SELECT p.id AS id, CASE WHEN p.has_variants THEN COALESCE((SELECT"  # noqa: S608
        f" SUM(v.stock_added - v.stock) FROM {variants} v WHERE v.product_id = p.id), 0)"
        f" ELSE p.stock_added - p.stock END AS sold FROM {products} p"
    )
    return sql.execute(
        f"UPDATE {index} SET sold = x.sold FROM ({taken}) AS x"  # noqa: S608
        f" WHERE {index}.product_id = x.id AND {index}.sold <> x.sold",
        [],
    )


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
    sold_refresh()
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
        self.matches: tuple[str, list[object]] = ("", [])  # SQLite: the matches' ids
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
            self.matches = (f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s", [match])  # noqa: S608
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
    """Products or items: their index, the columns read, what is joined to a match (nothing
    when the index row holds everything), the filters, and this side's order."""

    index: _Index
    kind: str
    columns: str
    join: str
    where: list[str]
    params: list[object]
    order: str
    lateral: str = ""  # PostgreSQL: `join` as a per-row LATERAL lookup (see `sql`)

    def sql(self, part: str, *, streamed: bool = False) -> tuple[str, list[object]]:
        """`streamed`: on PostgreSQL, join each match to its row one at a time (a LATERAL
        subquery it may not flatten), so that a LIMIT stops the scan early; its planner
        otherwise hashed every match first (a count to 1,000 of 38,000 matches: 134 ms)."""
        match, match_params = self.index.conditions[part]
        relevance = 1 if part == "other" else 0
        join = self.lateral if streamed and self.lateral else self.join
        query = (
            f"SELECT '{self.kind}' AS kind, {self.index.key} AS id, {relevance} AS relevance,"  # noqa: S608
            f" {self.columns} FROM {self.index.source} {join}"
            f" WHERE {' AND '.join([match, *self.where])}"
        )
        return query, [*match_params, *self.params]


_ORDER: dict[Sort, str] = {
    # Title matches first, then the newest: cheap and easy to explain (see docs).
    "relevance": "relevance ASC, id DESC",
    "newest": "id DESC",
    # An item without a known price comes last either way.
    "price_asc": "CASE WHEN price IS NULL THEN 1 ELSE 0 END, price ASC, id DESC",
    "price_desc": "CASE WHEN price IS NULL THEN 1 ELSE 0 END, price DESC, id DESC",
    "best_selling": "sold DESC, id DESC",
}
# Products always have a price: their side orders by what the index rows' indexes hold.
_PRODUCT_ORDER: dict[Sort, str] = {
    **_ORDER,
    "price_asc": "price ASC, id DESC",
    "price_desc": "price DESC, id DESC",
}
# The orders that cannot stop early in the words' index, and the index that holds each.
_WALKED: dict[Sort, str] = {
    "price_asc": "catalog_ps_price",
    "price_desc": "catalog_ps_price",
    "best_selling": "catalog_ps_sold",
}


def _products(query: fulltext.Query, filters: ProductFilters) -> _Side:
    """Everything is read from the index row: on PostgreSQL the match is the row itself (its
    planner may walk the price or sales index and check each row's words, or take the GIN
    index's matches and sort them, whichever it reckons cheaper); on SQLite each FTS5 match
    is joined to its row by id."""
    index = _Index(ProductSearch, "product_id", query)
    postgres = connection.vendor == "postgresql"
    a = "f" if postgres else "ps"
    join = "" if postgres else f"JOIN {sql.table(ProductSearch)} ps ON ps.product_id = f.rowid"
    where = [f"{a}.listed = %s"]
    params: list[object] = [True]
    _price_range(a, filters, where, params)
    if filters.in_stock:
        where.append(f"{a}.in_stock = %s")
        params.append(True)
    if filters.seller_id is not None:
        where.append(f"{a}.seller_id = %s")
        params.append(filters.seller_id)
    if filters.field is not None:
        where.append(f"{a}.field_id = %s")
        params.append(filters.field.pk)
    columns = f"{a}.price_fen AS price, {a}.sold AS sold"
    order = _PRODUCT_ORDER[filters.sort]
    return _Side(index, "product", columns, join, where, params, order)


def _walked(side: _Side, sort: Sort) -> tuple[str, list[object]]:
    """SQLite, a price or best-selling order over a common word: the index rows in the
    order's own index, each checked against the set of matches (read once), so that a page
    stops after its rows instead of sorting tens of thousands of matches (the unary plus
    keeps SQLite from driving the query from the matches instead)."""
    matches, match_params = side.index.matches
    index = sql.table(ProductSearch)
    query = (
        f"SELECT 'product' AS kind, ps.product_id AS id, 0 AS relevance, {side.columns}"  # noqa: S608
        f" FROM {index} ps INDEXED BY {_WALKED[sort]}"
        f" WHERE {' AND '.join(side.where)} AND +ps.product_id IN ({matches})"
    )
    return query, [*side.params, *match_params]


# SQLite walks the order's index when a word matches at least this many products (2% of
# 100,000): below it, joining each match to its row and sorting them is cheaper.
WALK_FROM = 2_000


def _common(side: _Side) -> bool:
    matches, params = side.index.matches
    return (
        sql.rows(
            f"SELECT COUNT(*) FROM ({matches} LIMIT %s) AS m",  # noqa: S608
            [*params, WALK_FROM],
        )[0][0]
        >= WALK_FROM
    )


def _items(query: fulltext.Query, filters: ProductFilters) -> _Side | None:
    """Third-party items are nobody's stock: a seller or field filter leaves them out. They
    are few, and joined to their live rows."""
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
    items, key = sql.table(ExternalItem), index.key
    join = f"JOIN {items} i ON i.id = {key}"
    lateral = ""
    if connection.vendor == "postgresql":
        lateral = f"CROSS JOIN LATERAL (SELECT * FROM {items} i0 WHERE i0.id = {key} OFFSET 0) i"  # noqa: S608
    return _Side(
        index, "external", columns, join, where, params, _ORDER[filters.sort], lateral=lateral
    )


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
    products = _products(query, filters)
    sides = [side for side in (products, _items(query, filters)) if side]
    # Each part is cut to its first offset + limit in the page's order before the parts are
    # merged, so that ordering by id stops early in the index instead of sorting every match.
    split = ("title", "other") if filters.sort == "relevance" else ("all",)
    parts = [(side.sql(part), side.order) for side in sides for part in split]
    if (
        connection.vendor == "sqlite"
        and filters.sort in _WALKED
        and filters.seller_id is None  # a seller's products are few: their matches are, too
        and _common(products)
    ):
        parts[0] = (_walked(products, filters.sort), products.order)
    ordered = " UNION ALL ".join(
        # (A subquery of its own: PostgreSQL orders by output names only when bare.)
        f"SELECT * FROM (SELECT * FROM ({text}) AS side{n}"  # noqa: S608
        f" ORDER BY {order} LIMIT {offset + limit}) AS part{n}"
        for n, ((text, _p), order) in enumerate(parts)
    )
    rows = (
        []
        if offset > MAX_OFFSET
        else sql.rows(
            f"SELECT kind, id FROM ({ordered}) AS found"  # noqa: S608
            f" ORDER BY {_ORDER[filters.sort]} LIMIT %s OFFSET %s",
            [*(p for (_text, ps), _o in parts for p in ps), limit, offset],
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
