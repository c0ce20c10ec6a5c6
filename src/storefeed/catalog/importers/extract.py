"""Reading product data from a page: schema.org Product JSON-LD, then microdata, then OpenGraph.

Each field is taken from the first of the three that has it; the price and its currency are
taken together. JSON-LD is read in @graph, mainEntity and Offer.itemOffered as well as at the
top; offers may be one Offer, a list (the lowest price in the first offer's currency wins), an
AggregateOffer (lowPrice) or carry a priceSpecification. OpenGraph reads og:title,
og:description, og:image, product:price:amount/currency (or og:price:*) and
product:availability. A page "has product data" when it has a schema.org Product, an
og:type of product, or an OpenGraph price.
"""

import codecs
import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
import nh3
from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_html

from storefeed.catalog.importers.data import (
    DESCRIPTION_MAX,
    IN_STOCK,
    OUT_OF_STOCK,
    TITLE_MAX,
    UNKNOWN,
    URL_MAX,
)
from storefeed.core.errors import ValidationFailed
from storefeed.core.money import parse_amount
from storefeed.core.text import clean_plain

logger = logging.getLogger(__name__)

PRODUCT_TYPES = {"Product", "ProductGroup", "IndividualProduct", "ProductModel", "SomeProducts"}
_IN_STOCK = {
    "instock",
    "in stock",
    "limitedavailability",
    "onlineonly",
    "preorder",
    "presale",
    "backorder",
    "available for order",
}
_OUT_OF_STOCK = {"outofstock", "out of stock", "oos", "soldout", "sold out", "discontinued"}
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,40})""", re.I)
_NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_MAX_DEPTH = 8


@dataclass
class Extracted:
    is_product: bool = False
    title: str = ""
    description: str = ""
    image_url: str = ""
    price_fen: int | None = None
    currency: str = ""
    availability: str = UNKNOWN


def decode(body: bytes, charset: str = "") -> str:
    """Bytes to text: the HTTP charset, else a <meta> charset, else UTF-8. GBK and GB2312
    (common on Taobao) are read as GB18030, their superset."""
    for candidate in (charset, _meta_charset(body), "utf-8"):
        name = (candidate or "").strip().lower()
        if name in {"gbk", "gb2312", "x-gbk", "gb_2312-80"}:
            name = "gb18030"
        try:
            codecs.lookup(name)
        except LookupError:
            continue
        return body.decode(name, errors="replace")
    return body.decode("utf-8", errors="replace")


def _meta_charset(body: bytes) -> str:
    match = _META_CHARSET_RE.search(body[:4096])
    return match.group(1).decode("ascii") if match else ""


def extract(body: bytes, *, charset: str = "", base_url: str) -> Extracted:
    text = decode(body, charset)
    found = Extracted()
    if not text.strip():
        return found
    try:
        tree = parse_html(text.encode("utf-8"), encoding="UTF-8")
    except Exception:  # lxml refuses some documents outright: then there is nothing to read
        logger.info("unparseable page at %s", base_url)
        return found
    jsonld = _TolerantJsonLd().extract_items(tree, base_url=base_url)
    other = extruct.extract(
        tree, base_url=base_url, syntaxes=["microdata", "opengraph"], uniform=True, errors="log"
    )
    for product in [*_products(jsonld), *_products(other.get("microdata", []))]:
        found.is_product = True
        _fill(found, base_url, **_from_schema(product))
    for og in other.get("opengraph", []):
        og_fields = _from_opengraph(og)
        if og_fields.pop("is_product"):
            found.is_product = True
        _fill(found, base_url, **og_fields)
    return found


class _TolerantJsonLd(JsonLdExtractor):
    """extruct's JSON-LD reader, skipping a broken block instead of losing the whole page."""

    def _extract_items(self, node: Any) -> Iterator[Any]:
        try:
            yield from list(super()._extract_items(node))
        except ValueError:
            logger.info("skipping a JSON-LD block that does not parse")


def _fill(
    found: Extracted,
    base_url: str,
    *,
    title: Any = None,
    description: Any = None,
    image: Any = None,
    price: Any = None,
    currency: Any = None,
    availability: Any = None,
) -> None:
    if not found.title:
        found.title = plain(title, TITLE_MAX)
    if not found.description:
        found.description = plain(description, DESCRIPTION_MAX, multiline=True)
    if not found.image_url:
        found.image_url = _image_url(image, base_url)
    if found.price_fen is None:
        code = _currency(currency)
        fen = price_to_fen(price, code or "CNY")
        if fen is not None:
            found.price_fen, found.currency = fen, code
    if found.availability == UNKNOWN:
        found.availability = availability_of(availability)


def _first(value: Any) -> Any:
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def plain(value: Any, limit: int, *, multiline: bool = False) -> str:
    """Any text from a page as plain text: tags stripped (script and style with their
    content), entities decoded, control characters removed, cut to `limit` characters."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    if value is None or isinstance(value, (dict, bool)):
        return ""
    cleaned = html.unescape(nh3.clean(str(value), tags=set()))
    cleaned = clean_plain(cleaned, multiline=multiline)
    if multiline:
        cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return cleaned[:limit].strip()


def _type_names(node: dict[str, Any]) -> set[str]:
    types = node.get("@type") or []
    if not isinstance(types, list):
        types = [types]
    names = set()
    for name in types:
        if isinstance(name, str):
            names.add(re.sub(r"^(?:https?://schema\.org/|schema:)", "", name.strip()))
    return names


def _products(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every schema.org Product in a JSON-LD or microdata structure, outermost first."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _products(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    types = _type_names(node)
    if types & PRODUCT_TYPES:
        yield node
    elif types & {"Offer", "AggregateOffer"} and isinstance(node.get("itemOffered"), dict):
        offered = node["itemOffered"]
        if _type_names(offered) & PRODUCT_TYPES:
            offer = {k: v for k, v in node.items() if k != "itemOffered"}
            yield {**offered, "offers": offered.get("offers") or offer}
            return
    # Not itemListElement: a list of products is a category page, not one item's page.
    for key in ("@graph", "mainEntity"):
        if key in node:
            yield from _products(node[key], depth + 1)


def _from_schema(product: dict[str, Any]) -> dict[str, Any]:
    offers = product.get("offers")
    if not offers and product.get("hasVariant"):
        variants = product["hasVariant"]
        variants = variants if isinstance(variants, list) else [variants]
        offers = [v.get("offers") for v in variants if isinstance(v, dict)]
    price, currency, availability = _best_offer(list(_offers(offers)))
    return {
        "title": product.get("name"),
        "description": product.get("description"),
        "image": product.get("image"),
        "price": price,
        "currency": currency,
        "availability": availability,
    }


def _offers(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _offers(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        if isinstance(node.get("offers"), (list, dict)):  # an AggregateOffer's own offers
            yield from _offers(node["offers"], depth + 1)


def _best_offer(offers: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
    """(price, currency, availability): the lowest price in the first priced offer's currency."""
    priced: list[tuple[int, str, Any, Any]] = []
    for offer in offers:
        spec = _first(offer.get("priceSpecification"))
        spec = spec if isinstance(spec, dict) else {}
        raw = _first(offer.get("price") or offer.get("lowPrice") or spec.get("price"))
        currency = _currency(offer.get("priceCurrency") or spec.get("priceCurrency"))
        fen = price_to_fen(raw, currency or "CNY")
        if fen is not None:
            priced.append((fen, currency, raw, offer.get("availability")))
    availability = next((o.get("availability") for o in offers if o.get("availability")), None)
    if not priced:
        return None, None, availability
    first_currency = priced[0][1]
    fen, currency, raw, offer_availability = min(
        (p for p in priced if p[1] == first_currency), key=lambda p: p[0]
    )
    return raw, currency, offer_availability or availability


def _from_opengraph(og: dict[str, Any]) -> dict[str, Any]:
    def get(*keys: str) -> Any:
        for key in keys:
            if og.get(key):
                return og[key]
        return None

    og_type = str(_first(get("og:type", "@type")) or "").lower()
    price = get("product:price:amount", "og:price:amount", "product:sale_price:amount")
    return {
        "is_product": og_type.startswith("product") or bool(price),
        "title": get("og:title"),
        "description": get("og:description"),
        "image": get("og:image", "og:image:url", "og:image:secure_url"),
        "price": price,
        "currency": get("product:price:currency", "og:price:currency"),
        "availability": get("product:availability", "og:availability"),
    }


def _currency(value: Any) -> str:
    value = str(_first(value) or "").strip().upper()
    return value if _CURRENCY_RE.fullmatch(value) else ""


def price_to_fen(value: Any, currency: str = "CNY") -> int | None:
    """A page's price ("199.00", 199, "¥1,299.00", "199.00-299.00": the first number) in minor
    units, or None when there is none or it is not a sensible price (0, negative, absurd)."""
    value = _first(value)
    if value is None or isinstance(value, (bool, dict)):
        return None
    if isinstance(value, (int, float, Decimal)):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        match = _NUMBER_RE.search(str(value))
        if not match:
            return None
        text = match.group(0).replace(",", "")
    try:
        Decimal(text)
        return parse_amount(text, currency=currency or "CNY", field="price")
    except (ValidationFailed, InvalidOperation):
        return None


def _image_url(value: Any, base_url: str) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = _first(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if not isinstance(value, str) or not value.strip():
        return ""
    url = urljoin(base_url, value.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > URL_MAX:
        return ""
    return url


def availability_of(value: Any) -> str:
    value = str(_first(value) or "").strip()
    key = re.sub(r"^(?:https?://schema\.org/|schema:)", "", value, flags=re.I).lower()
    key = key.replace("_", " ").strip()
    if key in _IN_STOCK or key.replace(" ", "") in _IN_STOCK:
        return IN_STOCK
    if key in _OUT_OF_STOCK or key.replace(" ", "") in _OUT_OF_STOCK:
        return OUT_OF_STOCK
    return UNKNOWN
