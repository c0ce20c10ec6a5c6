"""The web pages of discovery: Discover, Hot (热门) with a tab per field, experts by field; in
both languages, from precomputed rows in a fixed number of queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.discovery import services
from storefeed.discovery.trends import trends_refresh
from storefeed.posts.services import status_create, status_reblog
from storefeed.social.services import follow_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def hot_site(expert_factory, crowd):
    """Two beauty posts and a tech post reposted by fans, with tags, folded into the trends."""
    with time_machine.travel(T0, tick=False):
        beauty = expert_factory("lipstick_li", "beauty", display_name="Li")
        tech = expert_factory("gadget_gu", "tech", display_name="Gu")
        fans = crowd(4)
        posts = {
            "swatch": status_create(account=beauty, text="Swatches #口红"),
            "haul": status_create(account=beauty, text="Haul #口红"),
            "phone": status_create(account=tech, text="Phone review #gadgets"),
        }
        for n, key in ((4, "swatch"), (2, "haul"), (3, "phone")):
            for fan in fans[:n]:
                status_reblog(account=fan, status_id=posts[key].pk)
        for fan in fans:
            follow_create(follower=fan, target=beauty)
        trends_refresh()
        services.expert_ranks_refresh()
        yield posts


def _hot_posts(html: str, posts: dict) -> list[str]:
    found = {key: html.find(f'data-status-id="{p.pk}"') for key, p in posts.items()}
    return [k for k, at in sorted(found.items(), key=lambda kv: kv[1]) if at >= 0]


def test_hot_page_ranks_posts_tags_with_reasons_and_field_tabs(client, hot_site):
    html = client.get("/hot").content.decode()
    assert _hot_posts(html, hot_site) == ["swatch", "phone", "haul"]
    assert "4 reposts in the last 2 hours" in html
    assert html.index("#口红") < html.index("#gadgets")
    assert 'data-testid="field-tab-beauty"' in html
    beauty = client.get("/hot", {"field": "beauty"}).content.decode()
    assert _hot_posts(beauty, hot_site) == ["swatch", "haul"]
    assert "#gadgets" not in beauty
    assert client.get("/hot", {"field": "astrology"}).status_code == 404


def test_hot_page_speaks_chinese(client, hot_site):
    html = client.get("/hot", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "热门话题" in html and "近2小时转发 4 次" in html


def test_discover_brings_it_together(client, client_for, hot_site):
    fan = make_user("newcomer")
    services.interests_set(account=fan, field_slugs=["tech"])
    html = client_for(fan).get("/discover").content.decode()
    assert 'data-testid="who-to-follow"' in html and "gadget_gu" in html
    assert 'href="/experts/beauty"' in html and 'href="/hot"' in html
    assert _hot_posts(html, hot_site) == ["swatch", "phone", "haul"]
    visitor = client.get("/discover").content.decode()
    assert 'data-testid="who-to-follow"' not in visitor
    assert _hot_posts(visitor, hot_site) == ["swatch", "phone", "haul"]


def test_pages_cost_a_fixed_number_of_queries(client, expert_factory, crowd, hot_site):
    for n in range(8):
        expert_factory(f"more{n}", "beauty")
    services.expert_ranks_refresh()
    for path in ("/hot", "/discover", "/experts", "/experts/beauty"):
        client.get(path)  # warm the fragments
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert len(queries) <= 10, (path, [q["sql"][:80] for q in queries])


def test_staff_see_a_hide_button_others_do_not(client_for, hot_site):
    staff = make_user("staffer", is_staff=True)
    assert 'data-testid="hot-hide"' in client_for(staff).get("/hot").content.decode()
    assert 'data-testid="hot-hide"' not in client_for(make_user("fan")).get("/hot").content.decode()
