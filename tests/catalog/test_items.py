"""Third-party items: resolving a pasted link, filling in by hand, clicks, the price sweep."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.catalog import services
from storefeed.catalog.errors import ItemUnreadable
from storefeed.catalog.models import ExternalItem
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.sellers import services as sellers
from storefeed.sellers.errors import NotASeller
from tests.catalog.conftest import item_data

pytestmark = pytest.mark.django_db

LINK = "https://detail.tmall.com/item.htm?id=6123456789"


def test_a_pasted_link_is_read_and_kept_once_per_source_and_item(seller, rival, fake_importer):
    fake_importer.pages[LINK] = item_data()
    item = services.external_item_resolve(account=seller, text=f"  {LINK} ")
    assert (item.source, item.item_id, item.price_fen) == ("tmall", "6123456789", 25900)
    assert (item.title, item.availability, item.fetched_ok) == ("Tmall teapot", "in_stock", True)
    assert item.last_checked_at is not None
    # Pasted again soon after, by anyone: the same row, without fetching the page again.
    again = services.external_item_resolve(account=rival, text=LINK)
    assert again.pk == item.pk
    assert fake_importer.calls == [LINK]
    assert ExternalItem.objects.count() == 1


def test_a_stale_item_is_read_again_and_updated(seller, fake_importer):
    fake_importer.pages[LINK] = item_data()
    item = services.external_item_resolve(account=seller, text=LINK)
    fake_importer.pages[LINK] = item_data(price_fen=19900)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        again = services.external_item_resolve(account=seller, text=LINK)
    assert again.pk == item.pk
    assert again.price_fen == 19900
    assert len(fake_importer.calls) == 2


def test_an_unreadable_page_says_so_and_creates_nothing(seller, fake_importer):
    with pytest.raises(ItemUnreadable) as refused:
        services.external_item_resolve(account=seller, text="https://shop.example.com/item/1")
    assert refused.value.message == "We could not reach that page."
    assert refused.value.details == {"manual": True, "reason": "unreachable"}
    assert not ExternalItem.objects.exists()


def test_page_data_is_cleaned_html_stays_text_and_absurd_prices_are_dropped(seller, fake_importer):
    fake_importer.pages[LINK] = item_data(
        title="<script>alert(1)</script>\x00Teapot",
        price_fen=-5,
        image_url="javascript:alert(1)",
        availability="maybe",
    )
    item = services.external_item_resolve(account=seller, text=LINK)
    assert item.title == "<script>alert(1)</script>Teapot"
    assert (item.price_fen, item.image_url, item.availability) == (None, "", "unknown")


def test_only_active_sellers_resolve_items(alice, seller, rival, staff, fake_importer):
    fake_importer.pages[LINK] = item_data()
    with pytest.raises(NotASeller):
        services.external_item_resolve(account=alice, text=LINK)
    sellers.seller_suspend(account_id=seller.pk, by=staff, reason="x")
    with pytest.raises(NotASeller):
        services.external_item_resolve(account=seller, text=LINK)
    with pytest.raises(ValidationFailed):
        services.external_item_resolve(account=rival, text="   ")
    assert fake_importer.calls == []


def test_filled_in_by_hand_when_the_page_cannot_be_read(seller, fake_importer, make_image):
    item = services.external_item_manual(
        account=seller,
        url="https://shop.example.com/item/1",
        title="Handmade cup",
        price="35.50",
        image=make_image(),
    )
    assert (item.source, item.title, item.price_fen, item.fetched_ok) == (
        "web",
        "Handmade cup",
        3550,
        False,
    )
    assert item.image.name.startswith("items/")
    # The same URL again updates the same row.
    again = services.external_item_manual(
        account=seller, url="https://shop.example.com/item/1", title="Cup", price=""
    )
    assert (again.pk, again.title, again.price_fen) == (item.pk, "Cup", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": ""}, "url"),
        ({"title": ""}, "title"),
        ({"price": "0"}, "price"),
        ({"price": "1.999"}, "price"),
        ({"image_url": "javascript:x"}, "image_url"),
    ],
)
def test_bad_manual_items_are_refused(seller, fake_importer, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        services.external_item_manual(
            account=seller,
            **{"url": "https://shop.example.com/1", "title": "Cup", "price": "9", **fields},
        )
    assert refused.value.field == field
    assert not ExternalItem.objects.exists()


def test_data_read_from_the_page_wins_over_a_manual_entry(seller, tmall_item):
    item = services.external_item_manual(account=seller, url=LINK, title="Wrong", price="1")
    assert item.pk == tmall_item.pk
    assert (item.title, item.price_fen) == ("Tmall teapot", 25900)


def test_a_click_is_counted_and_leads_to_the_items_site(tmall_item):
    assert services.external_item_click(item_id=tmall_item.pk) == LINK
    assert services.external_item_click(item_id=str(tmall_item.pk)) == LINK
    tmall_item.refresh_from_db()
    assert tmall_item.clicks == 2
    for bad in (1, "nope"):
        with pytest.raises(NotFound):
            services.external_item_click(item_id=bad)


def test_the_sweep_refreshes_prices_and_leaves_hand_entered_items(seller, fake_importer):
    fake_importer.pages[LINK] = item_data()
    item = services.external_item_resolve(account=seller, text=LINK)
    broken = services.external_item_manual(
        account=seller, url="https://shop.example.com/gone", title="Gone", price="5"
    )
    # Nothing is due yet.
    assert services.external_items_refresh() == 0
    fake_importer.pages[LINK] = item_data(price_fen=9900, availability="out_of_stock")
    later = timezone.now() + dt.timedelta(hours=7)
    with time_machine.travel(later):
        from storefeed.catalog.tasks import refresh_external_items

        refresh_external_items.enqueue()
    item.refresh_from_db()
    broken.refresh_from_db()
    assert (item.price_fen, item.availability, item.fetched_ok) == (9900, "out_of_stock", True)
    assert item.last_checked_at >= later
    # An item entered by hand (its page never read) is left as the seller wrote it.
    assert (broken.fetched_ok, broken.price_fen, broken.title) == (False, 500, "Gone")
    assert broken.attempted_at is None or broken.attempted_at < later
    assert broken.last_checked_at is None


# --- with the real importer (no traffic leaves loopback: these are refused before any fetch) ---


def test_the_importers_refusal_becomes_a_clear_error_with_its_reason(seller, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    with pytest.raises(ItemUnreadable) as refused:
        services.external_item_resolve(account=seller, text="http://127.0.0.1:9/item/1")
    assert refused.value.details["manual"] is True
    assert refused.value.details["reason"] == "address_not_allowed"
    assert refused.value.message
    assert not ExternalItem.objects.exists()


def test_a_manual_tmall_link_is_recognised_as_tmall(seller):
    item = services.external_item_manual(
        account=seller, url="https://detail.tmall.com/item.htm?id=555&spm=abc", title="Kettle"
    )
    assert (item.source, item.item_id) == ("tmall", "555")


def test_a_hand_entry_never_renames_another_sellers_item(seller, rival):
    shared = services.external_item_manual(account=seller, url=LINK, title="Teapot", price="5")
    theirs = services.external_item_manual(account=rival, url=LINK, title="Renamed", price="9")
    # The rival gets a copy of their own; the first seller's item is as they wrote it.
    assert theirs.pk != shared.pk and (theirs.title, theirs.url) == ("Renamed", shared.url)
    shared.refresh_from_db()
    assert (shared.title, shared.price_fen) == ("Teapot", 500)
    # Entering it again updates the rival's own copy, not a third row.
    again = services.external_item_manual(account=rival, url=LINK, title="Renamed 2", price="9")
    assert again.pk == theirs.pk and again.title == "Renamed 2"
    assert ExternalItem.objects.count() == 2


def test_an_item_in_other_sellers_posts_is_not_rewritten_by_its_author(seller, rival):
    item = services.external_item_manual(account=seller, url=LINK, title="Teapot", price="5")
    services.product_post_create(account=rival, text="Look", external_item_ids=[item.pk])
    mine = services.external_item_manual(account=seller, url=LINK, title="Better", price="6")
    assert mine.pk != item.pk and mine.title == "Better"
    item.refresh_from_db()
    assert item.title == "Teapot"  # what the rival's post shows
