"""Commerce web pages (seller program, products, shop pages, cart, checkout, orders, wallet).
Mounted at / by config/urls.py only when commerce is on; the paths of products, items and
shops match catalog.links (the domains build links to them without reverse())."""

from django.urls import URLPattern, URLResolver, path, re_path

from storefeed.web.shop import (
    compose,
    views_catalog,
    views_insight,
    views_orders,
    views_promotions,
    views_sellers,
    views_wallet,
)

USERNAME = r"(?P<username>[A-Za-z0-9_]{1,30})"

app_name = "shop"
urlpatterns: list[URLPattern | URLResolver] = [
    # The seller program
    path("seller/apply", views_sellers.apply, name="apply"),
    path("staff/sellers", views_sellers.review_queue, name="review_queue"),
    re_path(
        r"^staff/sellers/applications/(?P<application_id>[0-9]{1,19})/reveal$",
        views_sellers.application_reveal,
        name="application_reveal",
    ),
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
    # Buying and orders (paths match orders.links)
    re_path(r"^products/(?P<product_id>[0-9]{1,19})/buy$", views_orders.buy, name="product_buy"),
    path("cart", views_orders.cart, name="cart"),
    path("cart/add", views_orders.cart_add, name="cart_add"),
    re_path(
        r"^cart/items/(?P<item_id>[0-9]{1,19})/(?P<action>update|remove)$",
        views_orders.cart_item,
        name="cart_item",
    ),
    path("orders", views_orders.my_orders, name="my_orders"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,19})$", views_orders.order_detail, name="order"),
    re_path(
        r"^orders/(?P<order_id>[0-9]{1,19})/(?P<action>[a-z_]{2,20})$",
        views_orders.order_action,
        name="order_action",
    ),
    path("shop/orders", views_orders.seller_orders, name="seller_orders"),
    # Promoted posts (粉丝头条)
    re_path(r"^shop/promote/(?P<status_id>[0-9]{1,19})$", views_promotions.promote, name="promote"),
    path("shop/promotions", views_promotions.promotions, name="promotions"),
    re_path(
        r"^shop/promotions/(?P<promotion_id>[0-9]{1,19})/stop$",
        views_promotions.promotion_stop,
        name="promotion_stop",
    ),
    re_path(
        r"^promotions/hide/(?P<account_id>[0-9]{1,19})$",
        views_promotions.seller_hide,
        name="promotion_hide",
    ),
    path("staff/promotions", views_promotions.staff_promotions, name="staff_promotions"),
    re_path(
        r"^staff/promotions/(?P<promotion_id>[0-9]{1,19})/stop$",
        views_promotions.staff_promotion_stop,
        name="staff_promotion_stop",
    ),
    path("shop/insight", views_insight.insight, name="insight"),
    path("shop/insight.csv", views_insight.insight_csv, name="insight_csv"),
    path("staff/disputes", views_orders.disputes, name="disputes"),
    re_path(
        r"^staff/disputes/(?P<order_id>[0-9]{1,19})/(?P<outcome>refund|complete)$",
        views_orders.dispute_resolve,
        name="dispute_resolve",
    ),
    path("addresses", views_orders.addresses, name="addresses"),
    re_path(
        r"^addresses/(?P<address_id>[0-9]{1,19})/delete$",
        views_orders.address_delete,
        name="address_delete",
    ),
    # Storefeed Pay
    path("wallet", views_wallet.wallet, name="wallet"),
    path("wallet/topup", views_wallet.topup, name="topup"),
    path("wallet/withdraw", views_wallet.withdraw, name="withdraw"),
    path("wallet/pin", views_wallet.pin, name="pin"),
]
