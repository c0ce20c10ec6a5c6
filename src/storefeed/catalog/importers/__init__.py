"""Third-party item importers: recognise a Taobao, Tmall, Weimai or shop link (or share text),
fetch its page safely and read the product data. Pure: no models; catalog stores the result.

    recognise(text) -> (source, item_id, canonical_url) | None   # no network
    resolve(text) -> ItemData                                    # fetches; raises ImportFailed
"""

from storefeed.catalog.importers.data import ImportFailed, ItemData
from storefeed.catalog.importers.recognise import recognise
from storefeed.catalog.importers.resolve import resolve

__all__ = ["ImportFailed", "ItemData", "recognise", "resolve"]
