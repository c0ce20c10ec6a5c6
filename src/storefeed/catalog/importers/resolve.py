"""From pasted text to an item: recognise it, fetch its page safely, read the product data."""

import re
from dataclasses import replace
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from storefeed.catalog.importers.data import TITLE_MAX, WEB, ImportFailed, ItemData
from storefeed.catalog.importers.extract import decode, extract
from storefeed.catalog.importers.fetch import Fetched, fetch, max_redirects
from storefeed.catalog.importers.recognise import (
    find_url,
    recognise,
    recognise_url,
    recognise_web,
    share_title,
)

# m.tb.cn often answers 200 with a page whose script names the item ("var url = '...'").
_SCRIPT_URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+")
_OTHER_SCHEME_RE = re.compile(
    r"\b(?:[A-Za-z][A-Za-z0-9+.\-]{1,20}://|(?:javascript|data|file|mailto|vbscript):)\S", re.I
)
# A Taobao share code (淘口令) between ￥ signs: only Taobao's app can read it.
_SHARE_CODE_RE = re.compile(r"[￥¥$€₤¢]\w{6,20}[￥¥$€₤¢]")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def resolve(text: str) -> ItemData:
    """The item a link or share text names, read from its page. Raises ImportFailed with a
    message for people and `.partial` holding what is known (for filling in by hand).

    Waits on the network: never call it inside a database transaction."""
    recognised = recognise(text)
    if recognised is None:
        if find_url(text or "") is not None:
            raise ImportFailed(_("That link is not a valid web address."), reason="bad_url")
        if _OTHER_SCHEME_RE.search(text or ""):
            raise ImportFailed(_("Only http and https links can be imported."), reason="bad_scheme")
        if _SHARE_CODE_RE.search(text or ""):
            raise ImportFailed(
                _(
                    "A Taobao share code cannot be read without its link: paste the whole "
                    "share text, with the link in it, or the item's page address."
                ),
                reason="share_code_only",
            )
        raise ImportFailed(
            _(
                "Paste a link to the item's page (Taobao, Tmall, Weimai or any shop), "
                "or Taobao share text with a link."
            ),
            reason="not_recognised",
        )
    source, item_id, url = recognised
    hint = share_title(text)[:TITLE_MAX]
    partial = ItemData(source=source, item_id=item_id, url=url, title=hint)
    try:
        page = fetch(url)
        page = _follow_script_redirect(page)
    except ImportFailed as exc:
        exc.partial = partial
        raise
    partial = _identity(page, partial)
    content_type = page.content_type.split(";", 1)[0].strip().lower()
    if content_type and content_type not in _HTML_TYPES:
        raise ImportFailed(
            _("The link does not lead to a web page. Fill in the item by hand."),
            reason="not_html",
            partial=partial,
        )
    found = extract(page.body, charset=page.charset, base_url=page.url)
    title = found.title or hint
    if not found.is_product:
        raise ImportFailed(
            _("No product data was found on the page. Fill in the title, price and image by hand."),
            reason="no_product_data",
            partial=replace(partial, title=title, image_url=found.image_url),
        )
    return replace(
        partial,
        title=title,
        description=found.description,
        image_url=found.image_url,
        price_fen=found.price_fen,
        currency=found.currency or "CNY",
        availability=found.availability,
    )


def _identity(page: Fetched, partial: ItemData) -> ItemData:
    """Source, item id and URL after the redirects: the last marketplace item named on the way
    (a short link reveals Taobao or Tmall; Taobao may hand a Tmall item over), else the final
    page as a web item (also when a short link never named its item)."""
    found = None
    for hop in page.chain:
        recognised = recognise_url(hop)
        if recognised and recognised[0] != WEB and recognised[1]:
            found = recognised
    found = found or recognise_web(page.url)
    if found is None:
        return partial
    source, item_id, url = found
    return replace(partial, source=source, item_id=item_id, url=url)


def _follow_script_redirect(page: Fetched) -> Fetched:
    host = (urlsplit(page.url).hostname or "").lower()
    if host not in {"m.tb.cn", "tb.cn"}:
        return page
    text = decode(page.body[:200_000], page.charset)
    for match in _SCRIPT_URL_RE.finditer(text):
        candidate = match.group(0).rstrip(".,;:!?'\")")
        recognised = recognise_url(candidate)
        if recognised and recognised[0] != WEB and recognised[1]:
            # The script's jump counts as a redirect of the chain.
            remaining = max_redirects() - page.redirects - 1
            if remaining < 0:
                raise ImportFailed(
                    _("The page redirects too many times (or in a loop)."),
                    reason="too_many_redirects",
                )
            followed = fetch(candidate, redirect_cap=remaining)
            followed.chain = page.chain + followed.chain
            return followed
    return page
