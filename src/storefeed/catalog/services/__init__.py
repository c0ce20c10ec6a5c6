"""Every write of the catalog: products, variants, stock, third-party items, product posts.

Stock moves only through single conditional UPDATEs (`stock_take`, `stock_return`,
`product_restock`), so no read-then-write can oversell. Third-party pages are fetched outside
any transaction; only the short save that follows opens one.

A package split along its seams (checks, images, products, variants, stock, product posts,
third-party items); every name is re-exported here, so callers import from
`storefeed.catalog.services` as before. Patch a name where it is used (for instance
`catalog.services.items._fetch`), not here.
"""

from storefeed.catalog.errors import ItemUnreadable, TooManyItems
from storefeed.catalog.services.checks import (
    DESCRIPTION_MAX,
    MAX_STOCK,
    MAX_VARIANTS,
    TITLE_MAX,
    VARIANT_NAME_MAX,
    _currency,
    _description,
    _ids,
    _own_product,
    _quantity,
    _title,
    require_active_seller,
)
from storefeed.catalog.services.images import (
    _prepared_images,
    _store_images,
)
from storefeed.catalog.services.items import (
    ITEM_FRESH_FOR,
    ITEM_TITLE_MAX,
    _clean_item_fields,
    _fetch,
    _http_url,
    _item_save,
    _only_theirs,
    _recognise,
    external_item_click,
    external_item_manual,
    external_item_resolve,
    external_items_refresh,
)
from storefeed.catalog.services.product_posts import (
    _idempotent_status,
    product_post_create,
)
from storefeed.catalog.services.products import (
    PRODUCT_TRANSITIONS,
    _product_move,
    _variant_specs,
    product_create,
    product_relist,
    product_restock,
    product_update,
    product_withdraw,
)
from storefeed.catalog.services.stock import (
    product_changed,
    stock_return,
    stock_take,
    stock_take_statement,
)
from storefeed.catalog.services.variants import (
    _check_variant_name,
    _own_variant,
    _variant_of,
    _variants_changed,
    variant_create,
    variant_remove,
    variant_update,
)

__all__ = [
    "DESCRIPTION_MAX",
    "ITEM_FRESH_FOR",
    "ITEM_TITLE_MAX",
    "MAX_STOCK",
    "MAX_VARIANTS",
    "PRODUCT_TRANSITIONS",
    "TITLE_MAX",
    "VARIANT_NAME_MAX",
    "ItemUnreadable",
    "TooManyItems",
    "_check_variant_name",
    "_clean_item_fields",
    "_currency",
    "_description",
    "_fetch",
    "_http_url",
    "_idempotent_status",
    "_ids",
    "_item_save",
    "_only_theirs",
    "_own_product",
    "_own_variant",
    "_prepared_images",
    "_product_move",
    "_quantity",
    "_recognise",
    "_store_images",
    "_title",
    "_variant_of",
    "_variant_specs",
    "_variants_changed",
    "external_item_click",
    "external_item_manual",
    "external_item_resolve",
    "external_items_refresh",
    "product_changed",
    "product_create",
    "product_post_create",
    "product_relist",
    "product_restock",
    "product_update",
    "product_withdraw",
    "require_active_seller",
    "stock_return",
    "stock_take",
    "stock_take_statement",
    "variant_create",
    "variant_remove",
    "variant_update",
]
