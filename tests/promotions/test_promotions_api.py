"""Promoted posts through the shop API: buying one (PIN, idempotency, budget held in escrow),
placing it on top of the audience's homes once, charging per thousand impressions, stopping
it, hiding a seller's promotions; and every bad input refused with nothing charged."""

import pytest

from storefeed.posts.services import status_delete
from storefeed.promotions import services
from storefeed.promotions.models import Placement, Promotion
from storefeed.social import services as social
from storefeed.wallet.models import PaymentPin
from storefeed.wallet.selectors import escrow_held, wallet_balance
from tests.promotions.conftest import PIN, ledger_snapshot
from tests.shop_api.conftest import fund

pytestmark = pytest.mark.django_db


def buy(client, post, *, budget="50.00", audience="followers", pin=PIN, key="k1"):
    return client.post(
        "/promotions",
        {"status_id": str(post.pk), "budget": budget, "audience": audience, "pin": pin},
        key=key,
    )


def home(mastodon_client):
    return mastodon_client.get("/api/v1/timelines/home")


def test_buy_holds_the_budget_and_replays_with_the_same_key(api, rich_seller, post, fans):
    client = api(rich_seller)
    before = wallet_balance(account=rich_seller)
    answer = buy(client, post)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status_id"] == str(post.pk)
    assert body["budget"] == "50.00"
    assert body["spent"] == "0.00"
    assert body["state"] == "active"
    assert body["impressions"] == 0
    assert wallet_balance(account=rich_seller) == before - 5000
    assert escrow_held(ref=("promotion", int(body["id"]))) == 5000
    again = buy(client, post)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == body["id"]
    assert Promotion.objects.count() == 1
    assert wallet_balance(account=rich_seller) == before - 5000
    listed = client.get("/promotions").json()
    assert [p["id"] for p in listed] == [body["id"]]


def test_placed_once_on_top_of_each_followers_home(api, rich_seller, post, fans, settings):
    client = api(rich_seller)
    promotion_id = buy(client, post).json()["id"]
    assert services.promotion_place(promotion_id=int(promotion_id)) == 2
    alice, bob = fans
    reader = api(alice)
    first = reader.get("/api/v1/timelines/home").json()
    assert first[0]["id"] == str(post.pk)
    assert first[0]["promoted"] == {"id": promotion_id, "account_id": str(rich_seller.pk)}
    # Once: the next read shows it where it belongs, without the label.
    second = reader.get("/api/v1/timelines/home").json()
    assert all("promoted" not in s for s in second)
    # An older page never carries it.
    bob_reader = api(bob)
    older = bob_reader.get("/api/v1/timelines/home", {"max_id": str(post.pk)}).json()
    assert all("promoted" not in s for s in older)
    assert Placement.objects.filter(shown_at__isnull=False).count() == 1


def test_charged_per_thousand_and_ends_when_the_budget_is_used(
    api, rich_seller, post, fans, settings
):
    client = api(rich_seller)
    before = wallet_balance(account=rich_seller)
    promotion = Promotion.objects.get(pk=buy(client, post, budget="0.01").json()["id"])
    # ¥5.00 per thousand: 2 impressions cost 1 fen, all of this budget.
    services.promotion_place(promotion_id=promotion.pk)
    for fan in fans:
        api(fan).get("/api/v1/timelines/home")
    services.promotions_tick()
    promotion.refresh_from_db()
    assert promotion.state == "exhausted"
    assert promotion.spent_fen == 1
    assert promotion.impressions == 2
    assert escrow_held(ref=("promotion", promotion.pk)) == 0
    assert wallet_balance(account=rich_seller) == before - 1


def test_stop_returns_the_rest_at_once_and_twice_returns_nothing_twice(
    api, rich_seller, post, fans
):
    client = api(rich_seller)
    before = wallet_balance(account=rich_seller)
    promotion_id = buy(client, post, budget="10.00").json()["id"]
    services.promotion_place(promotion_id=int(promotion_id))
    api(fans[0]).get("/api/v1/timelines/home")  # one impression: half a fen, charged as 0
    stopped = client.post(f"/promotions/{promotion_id}/stop")
    assert stopped.status_code == 200
    assert stopped.json()["state"] == "stopped"
    assert stopped.json()["spent"] == "0.00"
    assert stopped.json()["impressions"] == 1
    assert wallet_balance(account=rich_seller) == before
    again = client.post(f"/promotions/{promotion_id}/stop")
    assert again.status_code == 200 and again.json()["state"] == "stopped"
    assert wallet_balance(account=rich_seller) == before
    # Stopped: no one else gets it on top.
    assert all("promoted" not in s for s in api(fans[1]).get("/api/v1/timelines/home").json())


def test_others_cannot_stop_it_staff_can(api, rich_seller, post, fans, rival, staff):
    promotion_id = buy(api(rich_seller), post).json()["id"]
    assert api(rival).post(f"/promotions/{promotion_id}/stop").status_code == 404
    assert api(rival).get(f"/promotions/{promotion_id}").status_code == 404
    stopped = api(staff).post(f"/promotions/{promotion_id}/stop")
    assert stopped.status_code == 200
    assert Promotion.objects.get(pk=promotion_id).stopped_by == staff


def test_field_audience_reaches_people_interested_in_the_field(
    api, rich_seller, post, fans, field_reader
):
    promotion_id = buy(api(rich_seller), post, audience="field").json()["id"]
    assert services.promotion_place(promotion_id=int(promotion_id)) == 1
    page = api(field_reader).get("/api/v1/timelines/home").json()
    assert page[0]["id"] == str(post.pk) and page[0]["promoted"]["id"] == promotion_id


def test_hiding_a_seller_passes_its_promotions_over(api, rich_seller, post, fans):
    alice, _bob = fans
    promotion_id = buy(api(rich_seller), post).json()["id"]
    services.promotion_place(promotion_id=int(promotion_id))
    reader = api(alice)
    assert reader.post("/promotions/hidden", {"account_id": str(rich_seller.pk)}).status_code == 200
    assert reader.get("/promotions/hidden").json() == {"account_ids": [str(rich_seller.pk)]}
    assert all("promoted" not in s for s in reader.get("/api/v1/timelines/home").json())
    assert reader.delete(f"/promotions/hidden/{rich_seller.pk}").status_code == 200
    assert reader.get("/api/v1/timelines/home").json()[0]["promoted"]["id"] == promotion_id
    missing = reader.post("/promotions/hidden", {"account_id": "999999"})
    assert missing.status_code == 404


@pytest.mark.parametrize("how", ["block", "blocked_by", "mute"])
def test_a_seller_blocked_or_muted_after_placing_is_not_put_on_top(
    api, rich_seller, post, fans, how
):
    alice, _bob = fans
    promotion_id = buy(api(rich_seller), post).json()["id"]
    services.promotion_place(promotion_id=int(promotion_id))
    if how == "block":
        social.block_create(account=alice, target=rich_seller)
    elif how == "blocked_by":
        social.block_create(account=rich_seller, target=alice)
    else:
        social.mute_create(account=alice, target=rich_seller)
    assert all("promoted" not in s for s in api(alice).get("/api/v1/timelines/home").json())
    assert Placement.objects.filter(owner_id=alice.pk, shown_at__isnull=True).exists()  # not spent


def test_a_deleted_post_ends_its_promotion_with_the_rest_returned(api, rich_seller, post, fans):
    before = wallet_balance(account=rich_seller)
    promotion_id = buy(api(rich_seller), post).json()["id"]
    status_delete(account=rich_seller, status_id=post.pk)
    services.promotions_tick()
    promotion = Promotion.objects.get(pk=promotion_id)
    assert promotion.state == "stopped"
    assert wallet_balance(account=rich_seller) == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"budget": "0"}, 422, "validation_failed"),
        ({"budget": "0.00"}, 422, "validation_failed"),
        ({"budget": "-5.00"}, 422, "validation_failed"),
        ({"budget": "5.001"}, 422, "validation_failed"),
        ({"budget": "abc"}, 422, "validation_failed"),
        ({"budget": None}, 422, "validation_failed"),
        ({"budget": "600.00"}, 422, "insufficient_funds"),
        ({"audience": "everyone"}, 422, "validation_failed"),
        ({"status_id": "999999"}, 404, "not_found"),
        ({"status_id": "abc"}, 404, "not_found"),
        ({"pin": "12345"}, 422, "validation_failed"),
        ({"pin": "135799"}, 422, "pin_wrong"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_charged(api, rich_seller, post, change, status, code):
    before = ledger_snapshot()
    body = {"status_id": str(post.pk), "budget": "50.00", "audience": "followers", "pin": PIN}
    answer = api(rich_seller).post("/promotions", {**body, **change}, key="bad")
    assert answer.status_code == status, answer.json()
    assert answer.json()["code"] == code
    assert ledger_snapshot() == before
    assert not Promotion.objects.exists()


def test_wrong_pins_lock_as_for_a_payment(api, rich_seller, post):
    client = api(rich_seller)
    for attempt in range(5):
        answer = buy(client, post, pin="000000", key=f"wrong{attempt}")
        assert answer.status_code in (422, 403)
    assert answer.json()["code"] == "pin_locked"
    assert PaymentPin.objects.get(account=rich_seller).locked_until is not None
    assert buy(client, post, key="right").json()["code"] == "pin_locked"
    assert not Promotion.objects.exists()


def test_another_sellers_post_or_a_deleted_one_is_404(api, rich_seller, post, rival):
    fund(rival, "100.00")
    before = ledger_snapshot()
    answer = buy(api(rival), post)
    assert answer.status_code == 404
    status_delete(account=rich_seller, status_id=post.pk)
    assert buy(api(rich_seller), post, key="k2").status_code == 404
    assert ledger_snapshot() == before


def test_not_a_seller_is_403(api, alice, bob):
    from storefeed.posts.services import status_create

    fund(alice, "100.00")
    mine = status_create(account=alice, text="hello")
    before = ledger_snapshot()
    answer = buy(api(alice), mine)
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_a_seller"
    assert ledger_snapshot() == before


def test_idempotency_key_required(api, rich_seller, post):
    answer = api(rich_seller).post(
        "/promotions",
        {"status_id": str(post.pk), "budget": "5.00", "audience": "followers", "pin": PIN},
    )
    assert answer.status_code == 422
    assert not Promotion.objects.exists()
