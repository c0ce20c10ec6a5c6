"""Filters v2 and v1 through the Mastodon API: their CRUD, refusals, and how they apply to
what the reader reads."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.filters.models import Filter, FilterKeyword, FilterStatus

pytestmark = pytest.mark.django_db


def _post(api, text, **extra):
    res = api.post("/api/v1/statuses", {"status": text, **extra})
    assert res.status_code == 200, res.content
    return res.json()


def _filter(api, **fields):
    body = {"title": "Spoilers", "context": ["home"], "filter_action": "warn", **fields}
    res = api.post("/api/v2/filters", body)
    assert res.status_code == 200, res.content
    return res.json()


@pytest.fixture
def reader(api_for, alice, bob):
    """Alice follows Bob; Alice's client."""
    api = api_for(alice)
    assert api.post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 200
    return api


def test_create_list_show_update_delete(api_for, alice):
    api = api_for(alice)
    made = _filter(
        api,
        context=["home", "public"],
        expires_in=3600,
        keywords_attributes=[{"keyword": "matcha"}, {"keyword": "Spoiler", "whole_word": False}],
    )
    assert made["title"] == "Spoilers" and made["filter_action"] == "warn"
    assert made["context"] == ["home", "public"]
    assert made["expires_at"].endswith("Z")
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("matcha", True),
        ("Spoiler", False),
    ]
    assert made["statuses"] == []
    assert api.get("/api/v2/filters").json() == [made]
    assert api.get(f"/api/v2/filters/{made['id']}").json() == made

    first = made["keywords"][0]["id"]
    second = made["keywords"][1]["id"]
    res = api.put(
        f"/api/v2/filters/{made['id']}",
        {
            "title": "Tea",
            "filter_action": "hide",
            "expires_in": "",
            "keywords_attributes": [
                {"id": first, "keyword": "抹茶"},
                {"id": second, "_destroy": True},
                {"keyword": "latte"},
            ],
        },
    )
    assert res.status_code == 200, res.content
    changed = res.json()
    assert changed["title"] == "Tea" and changed["filter_action"] == "hide"
    assert changed["expires_at"] is None and changed["context"] == ["home", "public"]
    assert [k["keyword"] for k in changed["keywords"]] == ["抹茶", "latte"]
    assert changed["keywords"][0]["id"] == first

    assert api.delete(f"/api/v2/filters/{made['id']}").json() == {}
    assert not Filter.objects.exists() and not FilterKeyword.objects.exists()
    assert api.get(f"/api/v2/filters/{made['id']}").status_code == 404


def test_keywords_as_rails_form_arrays(api_for, alice):
    api = api_for(alice)
    res = api.form(
        "/api/v2/filters",
        {
            "title": "Form",
            "context[]": ["home", "thread"],
            "keywords_attributes[][keyword]": ["one", "two"],
            "keywords_attributes[][whole_word]": ["false"],
        },
    )
    assert res.status_code == 200, res.content
    # Multipart: the n-th value of each field makes the n-th keyword.
    words = [(k["keyword"], k["whole_word"]) for k in res.json()["keywords"]]
    assert words == [("one", False), ("two", True)]
    raw = "title=T&context[]=home&keywords_attributes[][keyword]=a&keywords_attributes[][whole_word]=false&keywords_attributes[][keyword]=b"
    res = api.client.post("/api/v2/filters", raw, content_type="application/x-www-form-urlencoded")
    assert res.status_code == 200, res.content
    assert [(k["keyword"], k["whole_word"]) for k in res.json()["keywords"]] == [
        ("a", False),
        ("b", True),
    ]


def test_keyword_and_status_endpoints(api_for, alice, bob):
    api = api_for(alice)
    made = _filter(api)
    fid = made["id"]
    kw = api.post(f"/api/v2/filters/{fid}/keywords", {"keyword": "tea", "whole_word": False})
    assert kw.status_code == 200 and kw.json()["whole_word"] is False
    kid = kw.json()["id"]
    assert api.get(f"/api/v2/filters/{fid}/keywords").json() == [kw.json()]
    assert api.get(f"/api/v2/filters/keywords/{kid}").json() == kw.json()
    assert api.get(f"/api/v2/filter_keywords/{kid}").json() == kw.json()
    res = api.put(f"/api/v2/filters/keywords/{kid}", {"keyword": "coffee"})
    assert res.json()["keyword"] == "coffee" and res.json()["whole_word"] is False
    assert api.delete(f"/api/v2/filters/keywords/{kid}").json() == {}
    assert api.get(f"/api/v2/filters/{fid}/keywords").json() == []

    post = _post(api_for(bob), "a post")
    st = api.post(f"/api/v2/filters/{fid}/statuses", {"status_id": post["id"]})
    assert st.status_code == 200, st.content
    assert st.json()["status_id"] == post["id"]
    sid = st.json()["id"]
    assert api.get(f"/api/v2/filters/{fid}/statuses").json() == [st.json()]
    assert api.get(f"/api/v2/filters/statuses/{sid}").json() == st.json()
    again = api.post(f"/api/v2/filters/{fid}/statuses", {"status_id": post["id"]})
    assert again.status_code == 422
    assert api.delete(f"/api/v2/filter_statuses/{sid}").json() == st.json()
    assert not FilterStatus.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "", "context": ["home"]}, "Title can't be blank"),
        ({"title": "x", "context": []}, "Context None or invalid context supplied"),
        ({"title": "x", "context": ["nowhere"]}, "Context None or invalid context supplied"),
        ({"title": "x", "context": ["home"], "filter_action": "burn"}, "Filter action"),
        ({"title": "x", "context": ["home"], "expires_in": "-5"}, "expires_in"),
        ({"title": "x", "context": ["home"], "expires_in": 0}, "Expires in"),
        ({"title": "x" * 201, "context": ["home"]}, "Title is too long"),
        ({"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": " "}]}, "Keyword"),
        ({"title": "x", "context": ["home"], "keywords_attributes": "nope"}, "keywords_attributes"),
        (
            {
                "title": "x",
                "context": ["home"],
                "keywords_attributes": [{"keyword": "a", "whole_word": "maybe"}],
            },
            "whole_word",
        ),
    ],
)
def test_bad_filters_are_refused_and_change_nothing(api_for, alice, body, message):
    res = api_for(alice).post("/api/v2/filters", body)
    assert res.status_code == 422, res.content
    assert message in res.json()["error"]
    assert not Filter.objects.exists()


def test_others_filters_are_not_found(api_for, alice, bob):
    made = _filter(api_for(alice), keywords_attributes=[{"keyword": "tea"}])
    kid = made["keywords"][0]["id"]
    other = api_for(bob)
    assert other.get(f"/api/v2/filters/{made['id']}").status_code == 404
    assert other.put(f"/api/v2/filters/{made['id']}", {"title": "mine"}).status_code == 404
    assert other.delete(f"/api/v2/filters/{made['id']}").status_code == 404
    assert other.get(f"/api/v2/filters/keywords/{kid}").status_code == 404
    assert other.delete(f"/api/v2/filters/keywords/{kid}").status_code == 404
    assert other.post(f"/api/v2/filters/{made['id']}/keywords", {"keyword": "x"}).status_code == 404
    assert other.get("/api/v2/filters").json() == []
    # Another's keyword named in an update of one's own filter: 404, nothing changes.
    mine = _filter(other)
    res = other.put(
        f"/api/v2/filters/{mine['id']}",
        {"title": "changed", "keywords_attributes": [{"id": kid, "_destroy": True}]},
    )
    assert res.status_code == 404
    assert FilterKeyword.objects.filter(pk=kid).exists()
    assert Filter.objects.get(pk=mine["id"]).title == "Spoilers"
    assert api_for(alice).get("/api/v2/filters/abc").status_code == 404


def test_scopes(api_for, alice):
    api = api_for(alice, scope="read")
    assert api.get("/api/v2/filters").status_code == 200
    assert api.post("/api/v2/filters", {"title": "x", "context": ["home"]}).status_code == 403
    assert (
        api_for(alice, scope="read:filters write:filters")
        .post("/api/v2/filters", {"title": "x", "context": ["home"]})
        .status_code
        == 200
    )


def test_v1_shape_over_the_same_rows(api_for, alice):
    api = api_for(alice)
    res = api.post(
        "/api/v1/filters",
        {"phrase": "spoiler", "context": ["home", "notifications"], "irreversible": True,
         "whole_word": False},
    )  # fmt: skip
    assert res.status_code == 200, res.content
    v1 = res.json()
    assert v1["phrase"] == "spoiler" and v1["irreversible"] is True
    assert v1["whole_word"] is False and v1["context"] == ["home", "notifications"]
    v2 = api.get("/api/v2/filters").json()
    assert v2[0]["title"] == "spoiler" and v2[0]["filter_action"] == "hide"
    assert v2[0]["keywords"][0]["id"] == v1["id"]
    assert api.get("/api/v1/filters").json() == [v1]
    changed = api.put(f"/api/v1/filters/{v1['id']}", {"phrase": "ending", "irreversible": False})
    assert changed.json()["phrase"] == "ending" and changed.json()["irreversible"] is False
    assert api.get(f"/api/v1/filters/{v1['id']}").json()["phrase"] == "ending"
    assert api.delete(f"/api/v1/filters/{v1['id']}").json() == {}
    assert not Filter.objects.exists()
    assert api.post("/api/v1/filters", {"phrase": "", "context": ["home"]}).status_code == 422


def test_warn_marks_and_hide_drops_on_home(reader, api_for, bob):
    author = api_for(bob)
    plain = _post(author, "nothing to see")
    tea = _post(author, "I love Matcha lattes")
    teapot = _post(author, "a matchabox")
    made = _filter(reader, keywords_attributes=[{"keyword": "matcha", "whole_word": True}])
    home = {s["id"]: s for s in reader.get("/api/v1/timelines/home").json()}
    assert home[plain["id"]]["filtered"] == []
    assert home[teapot["id"]]["filtered"] == []  # whole word: "matchabox" is not "matcha"
    [result] = home[tea["id"]]["filtered"]
    assert result["filter"]["id"] == made["id"] and result["filter"]["filter_action"] == "warn"
    assert result["keyword_matches"] == ["matcha"] and result["status_matches"] is None
    # The filter is for home only: the public timeline shows the post unmarked.
    public = {s["id"]: s for s in reader.get("/api/v1/timelines/public").json()}
    assert public[tea["id"]]["filtered"] == []
    reader.put(f"/api/v2/filters/{made['id']}", {"filter_action": "hide"})
    ids = [s["id"] for s in reader.get("/api/v1/timelines/home").json()]
    assert tea["id"] not in ids and plain["id"] in ids and teapot["id"] in ids
    # The author's own posts are never filtered for the author.
    _filter(author, keywords_attributes=[{"keyword": "matcha"}], filter_action="hide")
    own = [s["id"] for s in author.get(f"/api/v1/accounts/{bob.pk}/statuses").json()]
    assert tea["id"] in own


def test_status_filter_and_reposts_carry_results(reader, api_for, bob, carol):
    author = api_for(carol)
    post = _post(author, "carol's post")
    api_for(bob).post(f"/api/v1/statuses/{post['id']}/reblog")
    made = _filter(reader)
    reader.post(f"/api/v2/filters/{made['id']}/statuses", {"status_id": post["id"]})
    home = reader.get("/api/v1/timelines/home").json()
    [repost] = [s for s in home if s["reblog"]]
    assert repost["filtered"][0]["status_matches"] == [post["id"]]
    assert repost["reblog"]["filtered"] == repost["filtered"]


def test_contexts_public_account_thread(api_for, alice, bob):
    reader, author = api_for(alice), api_for(bob)
    root = _post(author, "the root about tofu")
    reply = _post(author, "more tofu", in_reply_to_id=root["id"])
    _filter(reader, context=["public", "account", "thread"], filter_action="hide",
            keywords_attributes=[{"keyword": "tofu"}])  # fmt: skip
    assert all(s["id"] not in (root["id"], reply["id"])
               for s in reader.get("/api/v1/timelines/public").json())  # fmt: skip
    assert reader.get(f"/api/v1/accounts/{bob.pk}/statuses").json() == []
    # The Link header still leads on when every post of a page was hidden.
    res = reader.get(f"/api/v1/accounts/{bob.pk}/statuses", {"limit": 1})
    assert res.json() == [] and "max_id" in res["Link"]
    assert reader.get(f"/api/v1/statuses/{root['id']}/context").json()["descendants"] == []
    # Asked for by its id, a post is shown.
    assert reader.get(f"/api/v1/statuses/{root['id']}").status_code == 200


def test_expired_filters_stop_applying(reader, api_for, bob):
    post = _post(api_for(bob), "spoiler ahead")
    _filter(reader, expires_in=60, keywords_attributes=[{"keyword": "spoiler"}])
    assert reader.get("/api/v1/timelines/home").json()[0]["filtered"]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        [shown] = [s for s in reader.get("/api/v1/timelines/home").json() if s["id"] == post["id"]]
        assert shown["filtered"] == []
        assert reader.get("/api/v2/filters").json()[0]["expires_at"] is not None


def test_notifications_context(api_for, alice, bob):
    reader = api_for(alice)
    _post(api_for(bob), "@alice buy matcha now")
    _post(api_for(bob), "@alice hello")
    assert len(reader.get("/api/v1/notifications").json()) == 2
    made = _filter(reader, context=["notifications"], keywords_attributes=[{"keyword": "matcha"}])
    notes = reader.get("/api/v1/notifications").json()
    assert [bool(n["status"]["filtered"]) for n in notes] == [False, True]
    reader.put(f"/api/v2/filters/{made['id']}", {"filter_action": "hide"})
    notes = reader.get("/api/v1/notifications").json()
    assert len(notes) == 1 and "hello" in notes[0]["status"]["content"]


def test_home_reads_filters_in_one_query(reader, api_for, bob, django_assert_max_num_queries):
    for i in range(5):
        _post(api_for(bob), f"post {i} about matcha")
    _filter(reader, keywords_attributes=[{"keyword": "matcha"}])
    reader.get("/api/v1/timelines/home")  # warm the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert len(reader.get("/api/v1/timelines/home").json()) == 5
    filter_queries = [q for q in ctx.captured_queries if "filters_" in q["sql"]]
    assert len(filter_queries) == 1, filter_queries
