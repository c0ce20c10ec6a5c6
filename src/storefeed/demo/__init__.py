"""Demo data: a believable small network built through the services (`storefeed demo`)."""

from django.conf import settings

from storefeed.demo.data import PEOPLE, STAFF
from storefeed.demo.shop_data import DEMO_PIN

_PASSWORDS = {p.username: p.password for p in (*PEOPLE, STAFF)}
# Read from the settings, not the app registry: this module is imported while the registry
# is still being filled. The commerce apps are installed exactly when this is true.
_COMMERCE = "storefeed.catalog" in settings.INSTALLED_APPS


def _pick(with_commerce: str, without: str) -> str:
    return with_commerce if _COMMERCE else without


# (username, password, what to try with it); the `serve` command prints these.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    (
        "demo",
        _PASSWORDS["demo"],
        _pick(
            f"A fan with a full home timeline and product posts; Storefeed Pay PIN {DEMO_PIN} "
            f"(¥2,000 topped up), orders and a cart. 粉丝，支付密码 {DEMO_PIN}",
            "A fan who follows experts and friends: a full home timeline. 粉丝，首页最热闹",
        ),
    ),
    (
        "lily",
        _PASSWORDS["lily"],
        _pick(
            "Beauty expert and seller: products, orders to ship, sales per post, a promoted "
            "post (PIN 246810). 美妆达人，已开店，有待发货订单和粉丝头条推广",
            "Beauty expert with 1,200+ followers and a pinned post. 美妆达人，1200+粉丝",
        ),
    ),
    (
        "xiaoyu",
        _PASSWORDS["xiaoyu"],
        "A locked account with follow requests to approve. 私密账号，有待处理的关注请求",
    ),
    (
        "admin",
        _PASSWORDS["admin"],
        _pick(
            "Staff: a seller application to review, experts, Django admin at /admin/. "
            "运营，有待审核的开店申请",
            "Staff: verifies experts, Django admin at /admin/. 运营，可进入后台",
        ),
    ),
]
