"""recognise(): which site, which item and the canonical URL, from real-shaped pastes (no network)."""

import pytest

from storefeed.catalog.importers import recognise
from storefeed.catalog.importers.recognise import share_title

TAOBAO_1 = "https://item.taobao.com/item.htm?id=612345678901"
TMALL_1 = "https://detail.tmall.com/item.htm?id=623456789012"


@pytest.mark.parametrize(
    "text",
    [
        "https://item.taobao.com/item.htm?id=612345678901",
        "https://item.taobao.com/item.htm?spm=a230r.1.14.16.4f2c&id=612345678901&ns=1&abbucket=8#detail",
        "http://item.taobao.com/item.htm?id=612345678901",
        "HTTPS://ITEM.TAOBAO.COM/item.htm?id=612345678901",
        "https://h5.m.taobao.com/awp/core/detail.htm?id=612345678901&spm=a2141.7631564",
        "https://m.intl.taobao.com/detail/detail.html?id=612345678901",
        "https://main.m.taobao.com/security-h5-detail/home?id=612345678901",
        "https://world.taobao.com/item/612345678901.htm?spm=a21wu.241046",
        "https://a.m.taobao.com/i612345678901.htm",
        "  https://item.taobao.com/item.htm?itemId=612345678901  ",
        # A login wall that names the item it guards.
        "https://login.taobao.com/member/login.jhtml?redirectURL=https%3A%2F%2Fitem.taobao.com%2Fitem.htm%3Fid%3D612345678901",
        # Without the scheme, in a sentence.
        "看看这个 item.taobao.com/item.htm?id=612345678901 很好",
    ],
)
def test_taobao_forms(text):
    assert recognise(text) == ("taobao", "612345678901", TAOBAO_1)


@pytest.mark.parametrize(
    "text",
    [
        "https://detail.tmall.com/item.htm?id=623456789012",
        "https://detail.tmall.com/item.htm?spm=a220m.1000858&id=623456789012&skuId=4444&user_id=1",
        "https://detail.m.tmall.com/item.htm?id=623456789012&sku_properties=1627207:28320",
        "https://m.tmall.com/item.htm?id=623456789012",
        "https://chaoshi.detail.tmall.com/item.htm?id=623456789012",
        "detail.m.tmall.com/item.htm?id=623456789012",
        "https://login.tmall.com/?redirectURL=https%3A%2F%2Fdetail.tmall.com%2Fitem.htm%3Fid%3D623456789012",
    ],
)
def test_tmall_forms(text):
    assert recognise(text) == ("tmall", "623456789012", TMALL_1)


def test_tmall_global_keeps_its_domain():
    assert recognise("https://detail.tmall.hk/hk/item.htm?id=5551&spm=x") == (
        "tmall",
        "5551",
        "https://detail.tmall.hk/item.htm?id=5551",
    )


@pytest.mark.parametrize(
    "text",
    [
        "https://weidian.com/item.html?itemID=2345678901",
        "https://weidian.com/item.html?itemID=2345678901&wfr=wx&spider_token=8f2e",
        "https://m.weidian.com/item.html?itemId=2345678901",
        "https://shop1234567.v.weidian.com/item.html?itemID=2345678901",
        "https://h5.weidian.com/m/weidian/item.html?itemid=2345678901",
        "https://vdian.com/item.html?itemID=2345678901",
        "【微店】云南咖啡豆 https://weidian.com/item.html?itemID=2345678901 点击链接购买",
    ],
)
def test_weimai_forms(text):
    assert recognise(text) == (
        "weimai",
        "2345678901",
        "https://weidian.com/item.html?itemID=2345678901",
    )


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://m.tb.cn/h.UzJ5Ztn?tk=AbCd1234", "https://m.tb.cn/h.UzJ5Ztn?tk=AbCd1234"),
        ("http://m.tb.cn/h.UzJ5Ztn", "https://m.tb.cn/h.UzJ5Ztn"),
        ("https://tb.cn/x7Pq2Ka#frag", "https://tb.cn/x7Pq2Ka"),
        (
            "【手工紫砂茶壶 西施壶】https://m.tb.cn/h.UzJ5Ztn?tk=AbCd1234 ￥AbCd1234￥ CZ0001 "
            "复制这条信息，打开手机淘宝",
            "https://m.tb.cn/h.UzJ5Ztn?tk=AbCd1234",
        ),
        (
            "3￥xQ2bWcE9k7F￥ https://m.tb.cn/h.5Tc6d8e?tk=xQ2bWcE9k7F HU9046 "
            "「真丝连衣裙」点击链接直接打开",
            "https://m.tb.cn/h.5Tc6d8e?tk=xQ2bWcE9k7F",
        ),
        # Chinese punctuation right after the link ends it.
        (
            "【天猫】真丝连衣裙https://m.tb.cn/h.5Tc6d8e，复制打开",
            "https://m.tb.cn/h.5Tc6d8e",
        ),
    ],
)
def test_short_links_and_share_text(text, url):
    """A short link's item (and whether it is Tmall) is known only after its redirects."""
    assert recognise(text) == ("taobao", "", url)


def test_share_text_with_a_full_item_link():
    text = "【真丝连衣裙】https://detail.tmall.com/item.htm?id=623456789012&spm=x ￥AbCd1234￥"
    assert recognise(text) == ("tmall", "623456789012", TMALL_1)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("【手工紫砂茶壶 西施壶】https://m.tb.cn/h.UzJ5Ztn ￥AbCd1234￥", "手工紫砂茶壶 西施壶"),
        ("【  Linen   shirt 】 https://m.tb.cn/h.x", "Linen shirt"),
        ("https://m.tb.cn/h.UzJ5Ztn ￥AbCd1234￥", ""),
        ("【】https://m.tb.cn/h.x", ""),
    ],
)
def test_share_title(text, title):
    assert share_title(text) == title


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (
            "https://shop.example.com/products/linen-shirt",
            "https://shop.example.com/products/linen-shirt",
        ),
        (
            "https://Shop.Example.COM:443/p/1?utm_source=weibo&utm_medium=social&color=red#reviews",
            "https://shop.example.com/p/1?color=red",
        ),
        ("http://shop.example.com:80", "http://shop.example.com/"),
        ("http://shop.example.com:8080/p?id=7", "http://shop.example.com:8080/p?id=7"),
        (
            "https://user:secret@shop.example.com/p?fbclid=abc&gclid=def&spm=x&size=M",
            "https://shop.example.com/p?size=M",
        ),
        ("Look: https://shop.example.com/p/1.", "https://shop.example.com/p/1"),
        ("(https://shop.example.com/p/1)", "https://shop.example.com/p/1"),
        ("https://en.example.org/wiki/Tea_(drink)", "https://en.example.org/wiki/Tea_(drink)"),
        ("shop.example.com/p/1", "https://shop.example.com/p/1"),
        # A Taobao page that is not an item (a shop's home) is an ordinary page.
        ("https://shop123.taobao.com/index.htm", "https://shop123.taobao.com/index.htm"),
        ("https://item.taobao.com/item.htm?id=abc", "https://item.taobao.com/item.htm?id=abc"),
    ],
)
def test_any_other_link_is_a_web_item(text, canonical):
    assert recognise(text) == ("web", canonical, canonical)


def test_a_long_web_link_gets_a_short_stable_id():
    url = "https://shop.example.com/p?" + "&".join(f"k{i}=v{i}" for i in range(40))
    source, item_id, canonical = recognise(url)
    assert (source, canonical) == ("web", url)
    assert item_id.startswith("sha256:") and len(item_id) <= 200
    assert recognise(url)[1] == item_id


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello there",
        "￥AbCd1234￥",
        "复制这条信息￥AbCd1234￥打开手机淘宝",
        "ftp://shop.example.com/item",
        "javascript:alert(1)",
        "mailto:shop@example.com",
        "https://",
        "http://:80/",
        "https://shop.example.com:99999/p",
        "file:///etc/passwd",
        "x" * 6000 + " https://item.taobao.com/item.htm?id=1",
        "https://shop.example.com/" + "a" * 2100,
    ],
)
def test_junk_is_not_recognised(text):
    assert recognise(text) is None
