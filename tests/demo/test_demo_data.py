"""The demo's pictures and its data, without the database."""

import io
import os
import subprocess
import sys

import pytest
from PIL import Image

from storefeed.core.errors import ValidationFailed
from storefeed.core.text import parse
from storefeed.demo import DEMO_LOGINS, data, images, shop_data
from storefeed.demo.builder import DemoBuilder


@pytest.mark.parametrize("scene", sorted(images.SCENES))
def test_every_scene_draws_a_picture_with_its_caption(scene):
    picture = images.draw_picture(scene, "Velvet 丝绒口红 ¥189", size=(400, 500))
    assert picture.size == (400, 500)
    assert picture.mode == "RGB"
    # The caption bar is white with dark text in it.
    bar = picture.crop((30, 500 - 60, 390, 500 - 5))
    colours = {colour for _count, colour in bar.getcolors(maxcolors=100_000) or []}
    assert (255, 255, 255) in colours
    assert any(sum(c) < 400 for c in colours)
    # The scene is drawn: the area above the bar is not one flat gradient row.
    body = picture.crop((0, 100, 400, 300))
    assert len(body.getcolors(maxcolors=100_000) or []) > 20


def test_pictures_are_deterministic_and_differ_by_seed():
    first = images.to_jpeg(images.draw_picture("lipstick", "A", seed=1, size=(200, 200)))
    again = images.to_jpeg(images.draw_picture("lipstick", "A", seed=1, size=(200, 200)))
    other = images.to_jpeg(images.draw_picture("lipstick", "A", seed=2, size=(200, 200)))
    assert first == again
    assert first != other
    assert Image.open(io.BytesIO(first)).format == "JPEG"


def test_a_colour_paints_the_subject():
    def colours(picture):
        return {colour for _n, colour in picture.getcolors(maxcolors=1_000_000) or []}

    plum = (104, 30, 70)
    painted = images.draw_picture("lipstick", "Plum", size=(300, 300), colour=plum)
    assert plum in colours(painted)
    assert plum not in colours(images.draw_picture("lipstick", "Plum", size=(300, 300)))


def test_avatar_and_header_sizes():
    assert images.draw_avatar("莉", palette="rose").size == (400, 400)
    assert images.draw_header("mint").size == (1500, 500)
    assert (
        Image.open(io.BytesIO(images.to_png(images.draw_avatar("A", palette="sky")))).format
        == "PNG"
    )


def test_a_cjk_font_is_used_when_installed():
    # Debian's fonts-noto-cjk is part of the environment CI installs.
    path = images.font_path()
    if path is None:
        pytest.skip("no CJK font installed; captions fall back to Latin only")
    assert images._printable("丝绒 Velvet") == "丝绒 Velvet"


def test_data_is_consistent():
    people = {p.username for p in (*data.PEOPLE, data.STAFF)}
    keys: set[str] = set()
    for item in data.TIMELINE:
        if isinstance(item, data.Repost):
            assert item.who in people
            assert item.key in keys, f"repost of {item.key} before it is posted"
            continue
        assert item.key not in keys, f"duplicate key {item.key}"
        assert item.author in people
        for pointer in (item.reply_to, item.quote_of):
            assert pointer is None or pointer in keys, f"{item.key} points ahead"
        assert len(item.images) <= 9
        assert len(item.colours) <= len(item.images)
        assert all(scene in images.SCENES for scene, _caption in item.images)
        assert set(parse(item.text).mentions) <= people, item.key
        assert set(item.likes) <= people
        assert set(item.bookmarks) <= people
        assert item.fan_likes <= data.FAN_COUNT
        keys.add(item.key)
    for who, targets in data.FOLLOWS.items():
        assert who in people
        assert set(targets) <= people
        assert who not in targets
    assert all(rule.target in people for rule in data.FAN_FOLLOWS)
    assert {p.palette for p in data.PEOPLE} <= set(images.PALETTES)


def test_fans_have_distinct_usernames_and_mixed_names():
    names = {data.fan_username(i) for i in range(data.FAN_COUNT)}
    assert len(names) == data.FAN_COUNT
    assert data.fan_display_name(0) != data.fan_display_name(1)
    assert not data.fan_display_name(0).isascii()
    assert data.fan_display_name(1).isascii()


def test_demo_logins_name_a_fan_an_expert_and_staff():
    usernames = [username for username, _password, _what in DEMO_LOGINS]
    assert {"demo", "lily", "admin"} <= set(usernames)
    assert all(len(password) >= 8 for _u, password, _w in DEMO_LOGINS)


def test_a_refused_service_call_is_recorded_and_not_counted():
    builder = DemoBuilder()
    with builder._service("@demo follows @demo"):
        raise ValidationFailed("You can't follow yourself.")
        builder.created["follows"] += 1  # never reached
    assert builder.warnings == ["@demo follows @demo: You can't follow yourself."]
    assert not builder.created


def test_shop_data_is_consistent():
    people = {p.username for p in (*data.PEOPLE, data.STAFF)}
    sellers = {a.username for a in shop_data.APPLICATIONS if a.approve}
    assert {"lily", "anna_style"} <= sellers
    assert any(not a.approve for a in shop_data.APPLICATIONS)
    assert {a.username for a in shop_data.APPLICATIONS} <= people
    products = {p.key: p for p in shop_data.PRODUCTS}
    assert len(products) == len(shop_data.PRODUCTS)
    for spec in shop_data.PRODUCTS:
        assert spec.seller in sellers
        assert 1 <= len(spec.pictures) <= 9
        assert all(scene in images.SCENES for scene, _caption, _colour in spec.pictures)
        assert bool(spec.variants) != bool(spec.price)  # a price of its own or per variant
    items = {i.key: i for i in shop_data.ITEMS}
    assert all(i.seller in sellers for i in shop_data.ITEMS)
    posts = {p.key: p for p in shop_data.PRODUCT_POSTS}
    for post in shop_data.PRODUCT_POSTS:
        assert 3 <= len(post.products) + len(post.items) <= 9
        assert all(products[k].seller == post.author for k in post.products)
        assert set(post.items) <= set(items)
        assert set(post.likes) | set(post.reposted_by) <= people
    buyers = {b.username for b in shop_data.BUYERS}
    assert buyers <= people
    for plan in (*shop_data.ORDERS, *shop_data.CARTS):
        assert plan.buyer in buyers
        assert plan.post in posts
    for order in shop_data.ORDERS:
        assert order.goal in ("paid", "shipped", "completed")
        # One order per seller: every line is the same seller's and in the post it came from.
        assert {products[key].seller for key, _v, _q in order.lines} == {posts[order.post].author}
        assert all(key in posts[order.post].products for key, _v, _q in order.lines)
        if order.goal != "paid":
            assert order.carrier
            assert order.tracking_number
        for key, variant, _quantity in order.lines:
            assert (variant is None) == (not products[key].variants)
            assert variant is None or variant in {v[0] for v in products[key].variants}


def test_pins_are_six_digits():
    assert all(len(b.pin) == 6 and b.pin.isdigit() for b in shop_data.BUYERS)
    assert next(b.pin for b in shop_data.BUYERS if b.username == "demo") == shop_data.DEMO_PIN


COMMERCE_OFF_PROBE = """
import sys
import django
django.setup()
from django.apps import apps
from storefeed.demo import DEMO_LOGINS
from storefeed.demo.builder import DemoBuilder
labels = [step.label for step in DemoBuilder().steps()]
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[:2] in (["storefeed", n] for n in ("sellers", "catalog", "wallet", "orders"))
    or name == "storefeed.demo.commerce"
)
# The last step ranks experts and fills the hot list after everything else.
assert labels[-1] == "experts ranked, hot list", labels
print(apps.is_installed("storefeed.catalog"), labels[-2], loaded, DEMO_LOGINS[0][2], sep="|")
"""


@pytest.mark.parametrize("commerce", ["off", "on"])
def test_commerce_steps_only_when_commerce_is_on(commerce, tmp_path):
    """With STOREFEED_COMMERCE=off the commerce apps are not installed, and the demo neither
    plans a commerce step nor imports a commerce module (their models would fail to load).
    A fresh process, since the app registry is fixed once set up."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefeed.config.settings",
        "STOREFEED_COMMERCE": commerce,
        "STOREFEED_VAR_DIR": str(tmp_path),
    }
    env.pop("STOREFEED_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", COMMERCE_OFF_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    installed, last_step, loaded, demo_login = result.stdout.strip().split("|")
    if commerce == "off":
        assert (installed, last_step, loaded) == ("False", "interests", "[]")
        assert shop_data.DEMO_PIN not in demo_login
    else:
        assert (installed, last_step) == ("True", "seller insight")
        assert "storefeed.demo.commerce" in loaded
        assert shop_data.DEMO_PIN in demo_login
