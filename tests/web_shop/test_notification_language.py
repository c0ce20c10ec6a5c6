"""Shop notifications are read in the recipient's language, not the actor's: a buyer paying in
Chinese tells an English-speaking seller in English, on the web page and through the API, and
in Chinese once the seller switches. Rows written before the text was stored neutral (an
already formatted `message`) still read as they were written."""

import pytest
from django.utils import translation

from storefeed.core.money import display
from storefeed.notifications.models import Notification
from storefeed.orders.models import Order
from storefeed.sellers import services as seller_services
from storefeed.sellers.models import SellerApplication
from tests.mastodon.conftest import api_for  # noqa: F401 (fixture)
from tests.orders.conftest import address_for, make_buyer
from tests.web_shop.test_orders import buy
from tests.web_shop.test_sellers import FORM

pytestmark = pytest.mark.django_db


def latest_shop_message(api, **headers) -> str:
    response = api.get("/api/v1/notifications", {"types[]": "shop"}, **headers)
    assert response.status_code == 200
    return response.json()[0]["shop"]["message"]


@pytest.fixture
def paid_in_chinese(alice, alice_client, make_product) -> Order:
    make_buyer(alice, "500.00")
    address_for(alice)
    alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    tea = make_product(title="Oolong tea", price="88.00", stock=10)
    assert buy(alice_client, tea).status_code == 302
    return Order.objects.get(buyer=alice, state="paid")


def test_a_buyer_paying_in_chinese_tells_an_english_seller_in_english(
    paid_in_chinese, seller, seller_client, api_for
):
    order = paid_in_chinese
    total = display(order.total_fen, order.currency)
    english = f"Order {order.pk} is paid ({total}): ship it."
    chinese = f"订单 {order.pk} 已付款（{total}）：请发货。"
    note = Notification.objects.get(recipient=seller, type="shop", data__event="order_paid")
    assert note.data["msgid"] == "Order %(id)s is paid (%(total)s): ship it."
    assert "message" not in note.data

    page = seller_client.get("/notifications").content.decode()
    assert english in page and "已付款" not in page
    api = api_for(seller)
    assert latest_shop_message(api) == english
    assert latest_shop_message(api, HTTP_ACCEPT_LANGUAGE="zh-Hans") == chinese

    # The seller switches: the same row now reads in Chinese, on the page and in the API.
    seller_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = seller_client.get("/notifications").content.decode()
    assert chinese in page and english not in page
    seller.locale = "zh-hans"
    seller.save(update_fields=["locale"])
    assert latest_shop_message(api) == chinese
    assert latest_shop_message(api, HTTP_ACCEPT_LANGUAGE="en") == english


def test_a_decision_made_in_chinese_reaches_the_applicant_in_their_language(
    applicant, alice_client, staff
):
    alice_client.post("/seller/apply", FORM)
    application = SellerApplication.objects.get()
    with translation.override("zh-hans"):
        seller_services.seller_application_reject(
            application_id=application.pk, by=staff, reason="请补充商品照片。"
        )
    page = alice_client.get("/notifications").content.decode()
    assert "Your seller application was not approved: 请补充商品照片。" in page
    alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = alice_client.get("/notifications").content.decode()
    assert "你的卖家申请未通过：请补充商品照片。" in page


def test_old_rows_with_a_formatted_message_read_as_written(alice, bob, alice_client, api_for):
    Notification.objects.create(
        recipient=alice,
        actor=bob,
        type="shop",
        data={"event": "order_paid", "message": "订单 7 已付款：请发货。", "url": "/orders/7"},
    )
    page = alice_client.get("/notifications").content.decode()
    assert '<a href="/orders/7">订单 7 已付款：请发货。</a>' in page
    [entity] = api_for(alice).get("/api/v1/notifications", {"types[]": "shop"}).json()
    assert entity["shop"]["message"] == "订单 7 已付款：请发货。"
    assert entity["shop"]["event"] == "order_paid"
    assert entity["shop"]["url"].endswith("/orders/7")
