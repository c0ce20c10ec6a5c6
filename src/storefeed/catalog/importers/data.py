"""What an import returns (ItemData) and how it fails (ImportFailed, with a stable reason)."""

from dataclasses import dataclass
from typing import Any

from storefeed.core.errors import ValidationFailed

# The sources an item can come from (catalog.models.ItemSource uses the same values).
TAOBAO = "taobao"
TMALL = "tmall"
WEIMAI = "weimai"
WEB = "web"

# Availability as the catalog stores it (catalog.models.Availability).
IN_STOCK = "in_stock"
OUT_OF_STOCK = "out_of_stock"
UNKNOWN = "unknown"

# Field limits, matching catalog.models.ExternalItem: values are cut to fit, never refused.
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
URL_MAX = 2000
ITEM_ID_MAX = 200


@dataclass(frozen=True)
class ItemData:
    """A third-party item as read from its page. Text fields are plain text (no HTML);
    `price_fen` is integer minor units or None when the page gives no usable price."""

    source: str
    item_id: str
    url: str
    title: str = ""
    description: str = ""
    image_url: str = ""
    price_fen: int | None = None
    currency: str = "CNY"
    availability: str = UNKNOWN


class ImportFailed(ValidationFailed):
    """The item could not be imported. `reason` is a stable code for clients:
    not_recognised, bad_scheme, address_not_allowed, unreachable, timeout, http_error,
    too_large, too_many_redirects, not_html, no_product_data.

    `partial` holds what is known anyway (source, item id, canonical URL, the 【title】 of
    share text, an og:title...), so a form can be prefilled for the seller to complete by hand.
    """

    code = "import_failed"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        partial: ItemData | None = None,
        field: str | None = "url",
        **details: Any,
    ) -> None:
        super().__init__(message, field=field, reason=reason, **details)
        self.reason = reason
        self.partial = partial
