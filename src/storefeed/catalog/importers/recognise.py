"""Recognising what a seller pasted: which site, which item, and its canonical URL (no network).

Accepted (the source is the first word):
- taobao: item.taobao.com/item.htm?id=N, h5.m.taobao.com/awp/core/detail.htm?id=N,
  m.intl.taobao.com/detail/detail.html?id=N, and any other *.taobao.com page whose query has
  id=N (or itemId=N); world.taobao.com/item/N.htm and a.m.taobao.com/iN.htm. Canonical form:
  https://item.taobao.com/item.htm?id=N.
- tmall: detail.tmall.com/item.htm?id=N, detail.m.tmall.com/item.htm?id=N, m.tmall.com,
  chaoshi.detail.tmall.com and any other *.tmall.com page with id=N; Tmall Global
  (*.tmall.hk). Canonical: https://detail.tmall.com/item.htm?id=N (or detail.tmall.hk).
- m.tb.cn (and tb.cn) short links: source taobao, item id unknown ("") until the redirects are
  followed (they may reveal Tmall).
- A login or redirect page of Taobao/Tmall that carries the item URL in its query
  (redirectURL=..., url=...) is recognised as that item.
- weimai: Weimai (微卖) items are identified by the Weidian (微店) item links they are shared
  as: weidian.com/item.html?itemID=N, its mobile forms (m.weidian.com, h5.weidian.com,
  shopN.v.weidian.com) and vdian.com; itemID, itemId or id. Canonical:
  https://weidian.com/item.html?itemID=N.
- Taobao share text, e.g. "【Title】https://m.tb.cn/h.XXXX?tk=AbCd ￥AbCd1234￥ CZ0001 ...":
  the first link in the text is used (the 【title】 is read by `share_title`). Links of the
  sites above without "https://" are accepted in share text too.
- web: any other http(s) URL, as ("web", canonical URL, canonical URL); the canonical URL drops
  the fragment, user info, default port and tracking parameters (utm_*, spm, fbclid...).
  A URL longer than 200 characters gets "sha256:<hex>" as its item id (the id column is short).
Anything else (no link, another scheme, a ￥code￥ alone) is None.
"""

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storefeed.catalog.importers.data import ITEM_ID_MAX, TAOBAO, TMALL, URL_MAX, WEB, WEIMAI

TEXT_MAX = 5000  # what is scanned of pasted text

_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
_SCHEME_URL_RE = re.compile(rf"https?://[{_URL_CHARS}]+", re.IGNORECASE)
_MARKET_HOSTS = r"(?:taobao\.com|tmall\.com|tmall\.hk|tb\.cn|weidian\.com|vdian\.com)"
_BARE_MARKET_RE = re.compile(
    rf"(?<![\w.\-/])((?:[a-z0-9\-]+\.)*{_MARKET_HOSTS}/[{_URL_CHARS}]*)", re.IGNORECASE
)
_BARE_URL_RE = re.compile(r"(?:[a-z0-9\-]+\.)+[a-z]{2,}(?::\d{1,5})?(?:/\S*)?", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}"
_SHARE_TITLE_RE = re.compile(r"【([^【】]{1,300})】")
_ITEM_ID_RE = re.compile(r"\d{1,20}")

_ID_KEYS = ("id", "itemId", "itemid", "item_id")
_WEIDIAN_ID_KEYS = ("itemID", "itemId", "itemid", "id")
_NESTED_KEYS = ("redirectURL", "redirect_url", "redirectUrl", "url", "tu", "target")
_SHORT_HOSTS = {"m.tb.cn", "tb.cn"}
_TRACKING = {
    "spm",
    "scm",
    "pvid",
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "ref_src",
}


def find_url(text: str) -> str | None:
    """The first link in pasted text (a bare URL or share text), with "https://" added to a
    bare link of a known marketplace or to text that is nothing but a domain and path."""
    text = (text or "")[:TEXT_MAX]
    match = _SCHEME_URL_RE.search(text)
    if match:
        return _trim(match.group(0))
    match = _BARE_MARKET_RE.search(text)
    if match:
        return "https://" + _trim(match.group(1))
    stripped = text.strip()
    if _BARE_URL_RE.fullmatch(stripped):
        return "https://" + _trim(stripped)
    return None


def share_title(text: str) -> str:
    """The 【title】 of Taobao/Tmall share text, or ""."""
    match = _SHARE_TITLE_RE.search((text or "")[:TEXT_MAX])
    return " ".join(match.group(1).split()) if match else ""


def recognise(text: str) -> tuple[str, str, str] | None:
    """(source, item_id, canonical url) for a pasted link or share text, or None."""
    url = find_url(text)
    return recognise_url(url) if url else None


def recognise_url(url: str) -> tuple[str, str, str] | None:
    """Like `recognise`, for one URL (also used on every redirect hop)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in ("http", "https") or not host or len(url) > URL_MAX:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    market = _marketplace(host, parts.path, query)
    if market:
        return market
    if host in _SHORT_HOSTS and parts.path.strip("/"):
        short = urlunsplit(("https", host, parts.path, parts.query, ""))
        return (TAOBAO, "", short)
    return recognise_web(url)


def recognise_web(url: str) -> tuple[str, str, str] | None:
    """("web", canonical, canonical) for any http(s) URL, whatever site it is on."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in ("http", "https") or not host:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    canonical = canonical_web_url(scheme, host, port, parts.path, query)
    if len(canonical) > URL_MAX:
        return None
    return (WEB, web_item_id(canonical), canonical)


def _marketplace(host: str, path: str, query: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    if _under(host, "taobao.com"):
        item_id = _query_id(query, _ID_KEYS) or _path_id(path)
        if item_id:
            return (TAOBAO, item_id, f"https://item.taobao.com/item.htm?id={item_id}")
        return _nested(query)
    if _under(host, "tmall.com") or _under(host, "tmall.hk"):
        item_id = _query_id(query, _ID_KEYS)
        if item_id:
            domain = "tmall.hk" if _under(host, "tmall.hk") else "tmall.com"
            return (TMALL, item_id, f"https://detail.{domain}/item.htm?id={item_id}")
        return _nested(query)
    if _under(host, "weidian.com") or _under(host, "vdian.com"):
        item_id = _query_id(query, _WEIDIAN_ID_KEYS)
        if item_id:
            return (WEIMAI, item_id, f"https://weidian.com/item.html?itemID={item_id}")
    return None


def _nested(query: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    """A login wall or jump page naming the item in its query (already percent-decoded)."""
    for key, value in query:
        if key in _NESTED_KEYS and value.lower().startswith(("http://", "https://")):
            try:
                parts = urlsplit(value)
            except ValueError:
                continue
            host = (parts.hostname or "").rstrip(".").lower()
            nested = _marketplace(host, parts.path, parse_qsl(parts.query))
            # One level only: a nested URL's own redirect parameter is not followed.
            if nested and nested[1]:
                return nested
    return None


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _query_id(query: list[tuple[str, str]], keys: tuple[str, ...]) -> str:
    values = dict(query)
    for key in keys:
        value = values.get(key, "").strip()
        if _ITEM_ID_RE.fullmatch(value):
            return value
    return ""


def _path_id(path: str) -> str:
    match = re.fullmatch(r"/item/(\d{1,20})\.html?|/i(\d{1,20})\.html?", path)
    return (match.group(1) or match.group(2)) if match else ""


def canonical_web_url(
    scheme: str, host: str, port: int | None, path: str, query: list[tuple[str, str]]
) -> str:
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    kept = [(k, v) for k, v in query if k not in _TRACKING and not k.lower().startswith("utm_")]
    return urlunsplit((scheme, netloc, path or "/", urlencode(kept), ""))


def web_item_id(canonical: str) -> str:
    if len(canonical) <= ITEM_ID_MAX:
        return canonical
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _trim(url: str) -> str:
    # Closing brackets are kept when the URL opened them (a wiki-style path).
    while url and url[-1] in _TRAILING:
        if url[-1] in ")]}" and url.count({")": "(", "]": "[", "}": "{"}[url[-1]]) >= url.count(
            url[-1]
        ):
            break
        url = url[:-1]
    return url
