"""resolve(): fixture pages for Taobao, Tmall, Weimai and shops, served on 127.0.0.1."""

import pytest

from storefeed.catalog.importers import ImportFailed, ItemData, resolve
from tests.catalog.importers.conftest import PAGES

TAOBAO_ID = "612345678901"
TMALL_ID = "623456789012"


def test_taobao_page_in_gbk_with_microdata(shop):
    shop.page(
        "item.taobao.com",
        "/item.htm",
        "taobao_item.html",
        encoding="gbk",
        headers={"Content-Type": "text/html"},  # the charset is only in <meta>
    )
    item = resolve(f"https://item.taobao.com/item.htm?spm=a1z10&id={TAOBAO_ID}")
    assert item == ItemData(
        source="taobao",
        item_id=TAOBAO_ID,
        url=f"https://item.taobao.com/item.htm?id={TAOBAO_ID}",
        title="手工紫砂茶壶 西施壶 200ml",
        description="宜兴原矿紫泥，纯手工制作。",
        image_url="https://img.alicdn.com/imgextra/i1/teapot.jpg",
        price_fen=12800,
        currency="CNY",
        availability="in_stock",
    )
    assert shop.hits_for("item.taobao.com") == [f"/item.htm?id={TAOBAO_ID}"]


def test_tmall_page_with_jsonld_graph_and_aggregate_offer(shop):
    """A broken JSON-LD block beside the good one is skipped; JSON-LD wins over OpenGraph."""
    shop.page("detail.tmall.com", "/item.htm", "tmall_item.html")
    item = resolve(f"https://detail.m.tmall.com/item.htm?id={TMALL_ID}&sku_properties=1:2")
    assert (item.source, item.item_id, item.url) == (
        "tmall",
        TMALL_ID,
        f"https://detail.tmall.com/item.htm?id={TMALL_ID}",
    )
    assert item.title == "真丝连衣裙 夏季新款"
    assert item.description == "100% 桑蚕丝\n\n可机洗"
    assert item.image_url == "https://img.alicdn.com/bao/dress-1.jpg"
    assert (item.price_fen, item.currency, item.availability) == (29900, "CNY", "in_stock")


def test_short_link_redirect_chain_reveals_tmall(shop):
    """m.tb.cn -> a click tracker -> the Tmall item: source and id come from the chain, and
    share text keeps its own link (with tk) for the first request."""
    shop.redirect("m.tb.cn", "/h.5Tc6d8e", "https://s.click.taobao.com/t?e=m%3D2&tk=xQ2b")
    shop.redirect(
        "s.click.taobao.com",
        "/t",
        f"https://detail.tmall.com/item.htm?id={TMALL_ID}&ali_trackid=2:mm_1&spm=a21bo",
        status=301,
    )
    shop.page("detail.tmall.com", "/item.htm", "tmall_item.html")
    item = resolve("【真丝连衣裙】https://m.tb.cn/h.5Tc6d8e?tk=xQ2b ￥xQ2bWcE9k7F￥ HU9046")
    assert (item.source, item.item_id, item.url) == (
        "tmall",
        TMALL_ID,
        f"https://detail.tmall.com/item.htm?id={TMALL_ID}",
    )
    assert item.price_fen == 29900
    assert shop.hits_for("m.tb.cn") == ["/h.5Tc6d8e?tk=xQ2b"]


def test_short_link_landing_page_with_script_redirect(shop):
    """m.tb.cn answering 200 with `var url = '...'` is followed to the Taobao item."""
    shop.page("m.tb.cn", "/h.UzJ5Ztn", "short_link_landing.html")
    shop.page("item.taobao.com", "/item.htm", "taobao_item.html", encoding="gbk")
    item = resolve("【手工紫砂茶壶】https://m.tb.cn/h.UzJ5Ztn?tk=AbCd ￥AbCd1234￥")
    assert (item.source, item.item_id) == ("taobao", TAOBAO_ID)
    assert item.price_fen == 12800


def test_share_title_fills_a_page_without_a_name(shop):
    shop.html(
        "item.taobao.com",
        "/item.htm",
        '<html><head><meta property="og:type" content="product">'
        '<meta property="product:price:amount" content="35.00"></head></html>',
    )
    item = resolve(f"【青花瓷杯】https://item.taobao.com/item.htm?id={TAOBAO_ID} ￥AbCd1234￥")
    assert (item.title, item.price_fen) == ("青花瓷杯", 3500)


def test_weimai_offers_list_takes_the_lowest_price(shop):
    shop.page("weidian.com", "/item.html", "weimai_item.html")
    item = resolve("https://shop1234567.v.weidian.com/item.html?itemID=2345678901&wfr=wx")
    assert (item.source, item.item_id, item.url) == (
        "weimai",
        "2345678901",
        "https://weidian.com/item.html?itemID=2345678901",
    )
    assert item.title == "云南小粒咖啡豆 500g"
    assert item.image_url == "https://weidian.com/img/coffee.png"
    assert (item.price_fen, item.availability) == (4990, "in_stock")


def test_generic_jsonld_strips_html_and_script(shop):
    shop.page("shop.example.com", "/products/linen-shirt", "shop_jsonld.html")
    item = resolve("https://shop.example.com/products/linen-shirt?utm_source=weibo")
    assert (item.source, item.item_id) == ("web", "https://shop.example.com/products/linen-shirt")
    assert item.title == "Linen shirt"
    assert item.description == "Soft & cool."
    assert "<" not in item.title + item.description
    assert (item.price_fen, item.availability) == (19900, "in_stock")


def test_generic_microdata(shop):
    shop.page("shop.example.com", "/mug", "shop_microdata.html")
    item = resolve("https://shop.example.com/mug")
    assert (item.title, item.description) == ("Ceramic mug", "Holds 350 ml.")
    assert item.image_url == "https://shop.example.com/images/mug.jpg"
    assert (item.price_fen, item.currency, item.availability) == (4550, "CNY", "out_of_stock")


def _og_page(price: str) -> str:
    return (PAGES / "shop_og.html").read_text(encoding="utf-8").replace("{price}", price)


def test_generic_opengraph_product_tags(shop):
    shop.html("shop.example.com", "/lamp", _og_page("1,299.00"))
    item = resolve("https://shop.example.com/lamp")
    assert item.title == "Desk lamp"
    assert item.description == "Warm light, three levels."
    assert item.image_url == "https://cdn.shop.example.com/lamp.jpg"
    assert (item.price_fen, item.currency, item.availability) == (129900, "CNY", "out_of_stock")


@pytest.mark.parametrize("price", ["0", "0.00", "-5.00", "12.345", "99999999999", "call us", ""])
def test_unusable_price_is_left_for_the_seller(shop, price):
    """A price of 0, negative, with three decimals, absurd or not a number is not invented:
    the item comes back without one."""
    shop.html("shop.example.com", "/lamp", _og_page(price))
    item = resolve("https://shop.example.com/lamp")
    assert (item.title, item.price_fen) == ("Desk lamp", None)


def test_a_web_item_is_named_by_where_it_redirects(shop):
    shop.redirect("shop.example.com", "/go/42", "/products/linen-shirt", status=301)
    shop.page("shop.example.com", "/products/linen-shirt", "shop_jsonld.html")
    item = resolve("https://shop.example.com/go/42")
    assert item.url == item.item_id == "https://shop.example.com/products/linen-shirt"


def test_page_without_product_data(shop):
    shop.page("shop.example.com", "/blog/holiday", "no_product.html")
    with pytest.raises(ImportFailed) as caught:
        resolve("https://shop.example.com/blog/holiday")
    error = caught.value
    assert error.reason == "no_product_data"
    assert error.code == "import_failed" and error.field == "url"
    assert "No product data was found" in error.message
    # What was seen is handed back so the seller's form can start from it.
    assert error.partial == ItemData(
        source="web",
        item_id="https://shop.example.com/blog/holiday",
        url="https://shop.example.com/blog/holiday",
        title="My holiday in Hangzhou",
        image_url="https://blog.example.com/lake.jpg",
    )


def test_share_text_to_an_unreadable_page_keeps_the_title(shop):
    shop.html("item.taobao.com", "/item.htm", "<html><body>请登录</body></html>")
    with pytest.raises(ImportFailed) as caught:
        resolve(f"【手工紫砂茶壶】https://item.taobao.com/item.htm?id={TAOBAO_ID} ￥AbCd1234￥")
    assert caught.value.reason == "no_product_data"
    assert caught.value.partial is not None
    assert (caught.value.partial.source, caught.value.partial.item_id) == ("taobao", TAOBAO_ID)
    assert caught.value.partial.title == "手工紫砂茶壶"


def test_not_a_web_page(shop):
    shop.html("shop.example.com", "/photo.png", "\x89PNG", headers={"Content-Type": "image/png"})
    with pytest.raises(ImportFailed) as caught:
        resolve("https://shop.example.com/photo.png")
    assert caught.value.reason == "not_html"


@pytest.mark.parametrize("status", [404, 500, 503])
def test_error_status(shop, status):
    shop.html("shop.example.com", "/gone", "<html>no</html>", status=status)
    with pytest.raises(ImportFailed) as caught:
        resolve("https://shop.example.com/gone")
    assert caught.value.reason == "http_error"
    assert str(status) in caught.value.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", "not_recognised"),
        ("", "not_recognised"),
        ("复制这条信息￥AbCd1234￥打开手机淘宝", "share_code_only"),
        ("ftp://shop.example.com/p", "bad_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("https://shop.example.com:99999/p", "bad_url"),
    ],
)
def test_unusable_text_is_refused_without_fetching(shop, text, reason):
    with pytest.raises(ImportFailed) as caught:
        resolve(text)
    assert caught.value.reason == reason
    assert caught.value.message
    assert shop.hits == []
