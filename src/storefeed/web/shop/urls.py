"""Commerce web pages (seller program, products, shop pages, cart, checkout, orders, wallet).
Mounted at / by config/urls.py only when commerce is on; the paths of products, items and
shops match catalog.links (the domains build links to them without reverse())."""

from django.urls import URLPattern, URLResolver, path, re_path

from storefeed.web.shop import compose, views_catalog, views_sellers, views_wallet

USERNAME = r"(?P<username>[A-Za-z0-9_]{1,30})"

app_name = "shop"
urlpatterns: list[URLPattern | URLResolver] = [
    # The seller program
    path("seller/apply", views_sellers.apply, name="apply"),
    path("staff/sellers", views_sellers.review_queue, name="review_queue"),
    re_path(
        r"^staff/sellers/applications/(?P<application_id>[0-9]{1,19})/(?P<action>approve|reject)$",
        views_sellers.application_decide,
        name="application_decide",
    ),
    re_path(
        r"^staff/sellers/(?P<account_id>[0-9]{1,19})/(?P<action>suspend|reinstate)$",
        views_sellers.seller_decide,
        name="seller_decide",
    ),
    # Product management
    path("shop/products", views_catalog.products, name="products"),
    path("shop/products/new", views_catalog.product_new, name="product_new"),
    re_path(
        r"^shop/products/(?P<product_id>[0-9]{1,19})$",
        views_catalog.product_edit,
        name="product_edit",
    ),
    re_path(
        r"^shop/products/(?P<product_id>[0-9]{1,19})/(?P<action>restock|withdraw|relist)$",
        views_catalog.product_action,
        name="product_action",
    ),
    re_path(
        r"^shop/products/(?P<product_id>[0-9]{1,19})/variants$",
        views_catalog.variant_add,
        name="variant_add",
    ),
    re_path(
        r"^shop/variants/(?P<variant_id>[0-9]{1,19})/(?P<action>update|remove)$",
        views_catalog.variant_action,
        name="variant_action",
    ),
    path("shop/items/new", views_catalog.item_manual, name="item_manual"),
    path("compose/item", compose.item_preview, name="item_preview"),
    # Public catalog pages
    re_path(r"^products/(?P<product_id>[0-9]{1,19})$", views_catalog.product_page, name="product"),
    re_path(r"^items/(?P<item_id>[0-9]{1,19})$", views_catalog.item_page, name="item"),
    re_path(r"^items/(?P<item_id>[0-9]{1,19})/go$", views_catalog.item_go, name="item_go"),
    re_path(rf"^@{USERNAME}/shop$", views_catalog.shop, name="shop"),
    # Storefeed Pay
    path("wallet", views_wallet.wallet, name="wallet"),
    path("wallet/topup", views_wallet.topup, name="topup"),
    path("wallet/withdraw", views_wallet.withdraw, name="withdraw"),
    path("wallet/pin", views_wallet.pin, name="pin"),
]
