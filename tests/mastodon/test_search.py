"""GET /api/v2/search: posts by full text in Chinese and English, only those the reader may
see, Mastodon's parameters, and bad input answered clearly (never a 500)."""

import pytest
from django.db import connection
from django.test import Client

from storefeed.posts.models import StatusSearch
from storefeed.social import services as social
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def found(api, q, **params) -> list[str]:
    response = api.get("/api/v2/search", {"q": q, "type": "statuses", **params})
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["statuses"]]


def post(api, text, **extra) -> str:
    response = api.post("/api/v1/statuses", {"status": text, **extra})
    assert response.status_code == 200, response.content
    return response.json()["id"]


def test_chinese_english_and_mixed(api_for, alice, bob):
    a, b = api_for(alice), api_for(bob)
    zh = post(b, "新到的哑光口红，颜色很正")
    en = post(b, "My favourite lipsticks this spring")
    both = post(b, "口红 lipstick haul")
    tea = post(b, "红茶 and green tea")
    assert found(a, "口红") == [both, zh]
    assert found(a, "lipstick") == [both, en]  # "lipstick" also finds "lipsticks"
    assert found(a, "口红 lipstick") == [both, en, zh]  # either language
    assert found(a, "哑光口红") == [zh]  # a phrase: its bigrams in a row
    assert found(a, "光红") == []  # not in a row: no match
    assert found(a, "红") == [tea, both, zh]  # one character: every word with it
    assert found(a, "LIPSTICK haul") == [both]  # case-folded, both words needed
    assert found(a, "ｌｉｐｓｔｉｃｋ") == [both, en]  # full-width letters (NFKC)


def test_visibility_blocks_and_mutes(api_for, alice, bob, carol):
    a, b, c = api_for(alice), api_for(bob), api_for(carol)
    public = post(b, "oolong public")
    unlisted = post(b, "oolong unlisted", visibility="unlisted")
    private = post(b, "oolong followers", visibility="private")
    direct_other = post(b, "oolong @carol only", visibility="direct")
    direct_me = post(b, "oolong @alice only", visibility="direct")
    assert found(a, "oolong") == [direct_me, public]
    assert found(b, "oolong") == [direct_me, direct_other, private, unlisted, public]
    assert found(c, "oolong") == [direct_other, public]
    social.follow_create(follower=alice, target=bob)
    assert found(a, "oolong") == [direct_me, private, unlisted, public]
    # Mutes and blocks (both ways) hide the account's posts.
    social.mute_create(account=alice, target=bob)
    assert found(a, "oolong") == []
    social.mute_delete(account=alice, target=bob)
    social.block_create(account=bob, target=carol)
    assert found(c, "oolong") == []
    own = post(c, "oolong mine")
    assert found(c, "oolong") == [own]
    social.block_create(account=carol, target=alice)
    assert own not in found(a, "oolong")
    # Anonymous: posts need a signed-in account (as Mastodon).
    anonymous = Client().get("/api/v2/search", {"q": "oolong", "type": "statuses"})
    assert anonymous.json()["statuses"] == []


def test_index_follows_create_edit_and_delete(api_for, alice, bob):
    a, b = api_for(alice), api_for(bob)
    sid = post(b, "Jasmine pearls")
    assert found(a, "jasmine") == [sid]
    edited = b.put(f"/api/v1/statuses/{sid}", {"status": "茉莉龙珠 Jasmine dragon pearls"})
    assert edited.status_code == 200
    assert found(a, "茉莉") == [sid] and found(a, "dragon") == [sid]
    poll = post(b, "Which tea?", poll={"options": ["普洱", "乌龙"], "expires_in": 3600})
    assert found(a, "普洱") == [poll]
    cw = post(b, "details inside", spoiler_text="凤凰单丛")
    assert found(a, "单丛") == [cw]
    a.post(f"/api/v1/statuses/{sid}/reblog")
    assert found(a, "jasmine") == [sid]  # reposts are not results; the original is
    assert b.delete(f"/api/v1/statuses/{sid}").status_code == 200
    assert found(a, "jasmine") == []
    assert not StatusSearch.objects.filter(status_id=int(sid)).exists()
    alice.delete()  # an account's deletion takes its posts' index rows too
    bob.delete()
    assert StatusSearch.objects.count() == 0


def test_account_following_cursors_and_offset(api_for, alice, bob, carol):
    a, b, c = api_for(alice), api_for(bob), api_for(carol)
    bobs = [post(b, f"matcha number {n}") for n in range(5)]
    carols = [post(c, f"matcha from carol {n}") for n in range(2)]
    newest_first = [*reversed(carols), *reversed(bobs)]
    assert found(a, "matcha") == newest_first
    assert found(a, "matcha", account_id=str(bob.pk)) == list(reversed(bobs))
    assert found(a, "matcha", following="true") == []
    social.follow_create(follower=alice, target=carol)
    assert found(a, "matcha", following="true") == list(reversed(carols))
    assert found(a, "matcha", limit=2) == newest_first[:2]
    assert found(a, "matcha", limit=2, offset=2) == newest_first[2:4]
    assert found(a, "matcha", max_id=bobs[3]) == [bobs[2], bobs[1], bobs[0]]
    assert found(a, "matcha", min_id=bobs[1], limit=2) == [bobs[3], bobs[2]]
    assert found(a, "matcha", offset=100) == []  # past the end
    assert found(a, "matcha", offset=10_001) == []
    assert found(a, "matcha", account_id="not-a-number") == []


def test_accounts_and_hashtags_still_found(api_for, alice, bob):
    a = api_for(alice)
    bob.display_name = "口红达人 Bob"
    bob.save()
    post(api_for(bob), "#口红 #lipstick")
    body = a.get("/api/v2/search", {"q": "口红"}).json()
    assert [x["username"] for x in body["accounts"]] == ["bob"]
    assert [t["name"] for t in body["hashtags"]] == ["口红"]
    assert len(body["statuses"]) == 1
    social.follow_create(follower=alice, target=make_user("口红fan"))
    only_followed = a.get("/api/v2/search", {"q": "口红", "type": "accounts", "following": "1"})
    assert [x["username"] for x in only_followed.json()["accounts"]] == ["口红fan"]


def test_resolve_finds_this_sites_links(api_for, alice, bob):
    a = api_for(alice)
    sid = post(api_for(bob), "resolve me")
    link = f"http://testserver/@bob/{sid}"
    body = a.get("/api/v2/search", {"q": link, "resolve": "true"}).json()
    assert [s["id"] for s in body["statuses"]] == [sid] and body["accounts"] == []
    body = a.get("/api/v2/search", {"q": "http://testserver/@bob", "resolve": "true"}).json()
    assert [x["username"] for x in body["accounts"]] == ["bob"]
    body = a.get("/api/v2/search", {"q": "@bob@testserver", "resolve": "true"}).json()
    assert [x["username"] for x in body["accounts"]] == ["bob"]
    private = post(api_for(bob), "hidden", visibility="private")
    body = a.get("/api/v2/search", {"q": f"http://testserver/@bob/{private}", "resolve": "1"})
    assert body.json()["statuses"] == []


def test_anonymous_may_not_page_or_resolve():
    anonymous = Client()
    assert anonymous.get("/api/v2/search", {"q": "tea", "offset": "5"}).status_code == 401
    assert anonymous.get("/api/v2/search", {"q": "tea", "resolve": "true"}).status_code == 401
    assert anonymous.get("/api/v2/search", {"q": "tea"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x" * 201}, 422),
        ({"q": "tea", "type": "products"}, 422),
        ({"q": "tea", "limit": "lots"}, 422),
        ({"q": "tea", "offset": "-3"}, 422),
        ({"q": "tea", "resolve": "perhaps"}, 422),
    ],
)
def test_bad_input_is_refused_clearly(api_for, alice, params, status):
    response = api_for(alice).get("/api/v2/search", params)
    assert response.status_code == status
    assert response.json()["error"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"tea',
        "*",
        "tea*",
        "NEAR(tea, 2)",
        "tea OR coffee",
        "%",
        "_",
        "%_%",
        "a" * 200,
        "口" * 200,
        "-",
        "tea AND",
        "(tea",
        "'",
        "\\",
        "@",
        "#",
    ],
)
def test_operator_laden_queries_are_text(api_for, alice, q):
    a = api_for(alice)
    tea = post(a, "tea time")
    response = a.get("/api/v2/search", {"q": q})
    assert response.status_code == 200, response.content
    statuses = [s["id"] for s in response.json()["statuses"]]
    assert statuses in ([], [tea])
    if q in ("tea*", "(tea"):
        assert statuses == [tea]


def test_a_nul_is_refused_by_name(api_for, alice):
    # The API refuses text a database cannot store in any parameter (api/mastodon/params).
    response = api_for(alice).get("/api/v2/search", {"q": "\x00tea"})
    assert response.status_code == 422
    assert "q" in response.json()["error"]


def test_empty_query_is_empty(api_for, alice):
    body = api_for(alice).get("/api/v2/search", {"q": "   "}).json()
    assert body == {"accounts": [], "statuses": [], "hashtags": []}
    assert api_for(alice).get("/api/v2/search").json()["statuses"] == []


@pytest.mark.postgres
def test_postgresql_reads_the_gin_index(api_for, alice, bob):
    b = api_for(bob)
    for n in range(30):
        post(b, f"filler {n}")
    post(b, "口红 lipstick")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_statussearch")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT status_id FROM posts_statussearch WHERE document @@ %s::tsquery",
            ["'口红' | 'lipstick':*"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "posts_statussearch_gin" in plan
    assert found(api_for(alice), "口红") == found(api_for(alice), "lipstick")
