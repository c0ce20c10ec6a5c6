"""The demo's pictures and its data, without the database."""

import io

import pytest
from PIL import Image

from storefeed.core.errors import ValidationFailed
from storefeed.core.text import parse
from storefeed.demo import DEMO_LOGINS, data, images
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
