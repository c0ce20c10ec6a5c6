"""Promoted posts on the web: the Promote button and page (budget, audience, PIN; refusals
shown in the form with nothing charged), the label on top of the home with its Hide button,
the list with Stop, staff's Stop, and the promotion's own line in the insight page."""

import pytest
from django.test import Client
from django.utils import translation

from storefeed.catalog.models import PostProduct
from storefeed.orders.services import order_buy
from storefeed.promotions import services
from storefeed.promotions.models import HiddenSeller, Placement, Promotion
from storefeed.promotions.selectors import promotion_results
from storefeed.wallet.selectors import wallet_balance
from tests.insights.conftest import BROWSER
from tests.orders.conftest import PIN as BUYER_PIN
from tests.orders.conftest import address_for, make_buyer
from tests.promotions.conftest import PIN, ledger_snapshot

pytestmark = pytest.mark.django_db


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def bought(seller, post, *, key: str) -> Promotion:
    """A ¥5.00 promotion of `post` to the followers, bought through the service."""
    services.promotion_create(
        seller=seller,
        status_id=post.pk,
        budget="5.00",
        audience="followers",
        pin=PIN,
        idempotency_key=key,
    )
    return Promotion.objects.get(status_id=post.pk, state="active")


def promote(client, post, **change):
    form = {"budget": "20.00", "audience": "followers", "pin": PIN, "idempotency_key": "w1"}
    return client.post(f"/shop/promote/{post.pk}", {**form, **change})


def test_promote_from_the_posts_page_then_stop_it(rich_seller, post, fans):
    client = signed_in(rich_seller)
    page = client.get(f"/@{rich_seller.username}/{post.pk}").content.decode()
    assert f'href="/shop/promote/{post.pk}"' in page
    form = client.get(f"/shop/promote/{post.pk}")
    assert form.status_code == 200 and 'data-testid="promote-form"' in form.content.decode()
    before = wallet_balance(account=rich_seller)
    done = promote(client, post)
    assert done.status_code == 302 and done["Location"] == "/shop/promotions"
    assert wallet_balance(account=rich_seller) == before - 2000
    again = promote(client, post)  # the same form sent twice: charged once
    assert again.status_code == 302
    assert Promotion.objects.count() == 1
    listed = client.get("/shop/promotions").content.decode()
    assert 'data-testid="promotion-row"' in listed and 'data-state="active"' in listed
    promotion = Promotion.objects.get()
    stopped = client.post(f"/shop/promotions/{promotion.pk}/stop", follow=True)
    assert "back in the wallet" in stopped.content.decode()
    assert wallet_balance(account=rich_seller) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"budget": "0"}, "more than zero"),
        ({"budget": "-3"}, "more than zero"),
        ({"budget": "abc"}, "amount"),
        ({"budget": "9999.00"}, "balance"),
        ({"pin": "111111"}, "Wrong PIN"),
        ({"pin": "12"}, "at least 6 characters"),
    ],
)
def test_bad_input_on_the_page_charges_nothing(rich_seller, post, change, message):
    before = ledger_snapshot()
    answer = promote(signed_in(rich_seller), post, **change)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert ledger_snapshot() == before
    assert not Promotion.objects.exists()


def test_not_ones_own_post_or_not_a_seller(rich_seller, post, alice):
    assert signed_in(alice).get(f"/shop/promote/{post.pk}").status_code == 404
    from storefeed.posts.services import status_create

    mine = status_create(account=alice, text="hi")
    assert signed_in(alice).get(f"/shop/promote/{mine.pk}").status_code == 403


def test_the_home_shows_it_on_top_labelled_in_both_languages_then_hides(rich_seller, post, fans):
    bought(rich_seller, post, key="h")
    services.promotion_place(promotion_id=Promotion.objects.get().pk)
    alice, bob = fans
    home = signed_in(alice).get("/").content.decode()
    assert 'data-testid="promoted-label">Promoted<' in home
    with translation.override("zh-hans"):
        chinese = signed_in(bob, "zh-hans").get("/").content.decode()
    assert 'data-testid="promoted-label">推广<' in chinese
    # Once each: the next read has no label.
    assert 'data-testid="promoted"' not in signed_in(alice).get("/").content.decode()
    hidden = signed_in(alice).post(f"/promotions/hide/{rich_seller.pk}", {"next": "/"})
    assert hidden.status_code == 302 and hidden["Location"] == "/"
    assert HiddenSeller.objects.filter(account=alice, seller=rich_seller).exists()


def test_staff_stop_any_promotion(rich_seller, post, staff):
    bought(rich_seller, post, key="s")
    promotion = Promotion.objects.get()
    staff_page = signed_in(staff).get("/staff/promotions").content.decode()
    assert f'data-id="{promotion.pk}"' in staff_page
    assert signed_in(rich_seller).get("/staff/promotions").status_code == 403
    signed_in(staff).post(f"/staff/promotions/{promotion.pk}/stop")
    promotion.refresh_from_db()
    assert promotion.state == "stopped" and promotion.stopped_by == staff


def test_its_impressions_taps_and_orders_show_as_their_own_line(rich_seller, post, fans):
    bought(rich_seller, post, key="i")
    promotion = Promotion.objects.get()
    services.promotion_place(promotion_id=promotion.pk)
    alice, bob = fans
    signed_in(alice).get("/")  # shown to alice on top
    product_id = PostProduct.objects.get(status=post).product_id
    signed_in(alice).get(f"/products/{product_id}?from={post.pk}")  # a tap
    signed_in(bob).get(f"/products/{product_id}?from={post.pk}")  # not shown: not counted
    make_buyer(alice, "200.00")
    order_buy(
        buyer=alice,
        product_id=product_id,
        address_id=address_for(alice).pk,
        pin=BUYER_PIN,
        source_status_id=post.pk,
        idempotency_key="o",
    )
    line = promotion_results([promotion])[promotion.pk]
    assert (line.impressions, line.taps, line.orders) == (1, 1, 1)
    assert Placement.objects.get(owner_id=alice.pk).tapped_at is not None
    insight = signed_in(rich_seller).get("/shop/insight").content.decode()
    assert f'data-testid="promoted-line" data-id="{promotion.pk}"' in insight


def test_staff_stop_it_in_the_admin_too(rich_seller, post, staff):
    promotion = bought(rich_seller, post, key="a")
    before = wallet_balance(account=rich_seller)
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    admin = signed_in(staff)
    listed = admin.get("/admin/promotions/promotion/")
    assert listed.status_code == 200
    admin.post(
        "/admin/promotions/promotion/",
        {"action": "stop", "_selected_action": [str(promotion.pk)]},
    )
    promotion.refresh_from_db()
    assert promotion.state == "stopped" and promotion.stopped_by == staff
    assert wallet_balance(account=rich_seller) == before + 500


def test_the_promote_page_reads_in_chinese(rich_seller, post):
    page = signed_in(rich_seller, "zh-hans").get(f"/shop/promote/{post.pk}").content.decode()
    assert "推广微博" in page and "支付并推广" in page
