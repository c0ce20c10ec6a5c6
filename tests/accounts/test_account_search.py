"""People found by full text (accounts/search.py): names and bios in Chinese and English,
every word a prefix, the exact username first, suspended accounts never; the index follows
profile edits; the API's accounts search and the search page's people tab read it."""

import pytest
from django.test import Client

from storefeed.accounts.models import AccountSearch, User
from storefeed.accounts.selectors import account_search
from storefeed.core.errors import ValidationFailed
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "mei": make_user("meimei", display_name="美妆达人小美", note="每天分享口红试色"),
        "lip": make_user("lipstick_lab", display_name="Lipstick Lab", note="Swatches daily"),
        "tea": make_user("teaman", display_name="茶人", note="Oolong and 铁观音"),
    }


def names(found) -> list[str]:
    return [u.username for u in found]


def test_names_and_bios_in_chinese_and_english(people):
    assert names(account_search(query="口红")) == ["meimei"]  # in her bio
    assert names(account_search(query="美妆")) == ["meimei"]  # in her name
    assert names(account_search(query="swatch")) == ["lipstick_lab"]  # a prefix of a bio word
    assert names(account_search(query="铁观音")) == ["teaman"]
    assert set(names(account_search(query="口红 lipstick"))) == {"meimei", "lipstick_lab"}
    assert names(account_search(query="te")) == ["teaman"]  # short prefixes: completion
    assert account_search(query="") == []
    assert account_search(query="  \x00 ") == []
    with pytest.raises(ValidationFailed):
        account_search(query="x" * 201)


def test_exact_username_first_then_most_followed(people):
    other = make_user("tea", display_name="Tea lover")
    User.objects.filter(pk=people["tea"].pk).update(followers_count=500)
    assert names(account_search(query="tea")) == ["tea", "teaman"]
    assert names(account_search(query="@tea")) == ["tea", "teaman"]
    assert names(account_search(query="tea", among={other.pk})) == ["tea"]
    assert account_search(query="tea", among=set()) == []


def test_the_index_follows_profile_edits_and_suspensions(people):
    mei = people["mei"]
    mei.display_name, mei.note = "Beauty Mei", "Lip swatches"
    mei.save(update_fields=["display_name", "note"])
    assert names(account_search(query="口红")) == []
    assert names(account_search(query="beauty")) == ["meimei"]
    User.objects.filter(pk=mei.pk).update(is_active=False)
    assert names(account_search(query="beauty")) == []
    mei.delete()
    assert not AccountSearch.objects.filter(account_id=mei.pk).exists()


def test_api_and_search_page_find_people_by_full_text(people, alice):
    from storefeed.api.services import access_token_issue, client_app_create

    application, _app, _secret = client_app_create(
        name="t", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=["read"]
    )
    token = access_token_issue(application=application, account=alice, scopes=["read"])
    api = Client(headers={"Authorization": f"Bearer {token}"})
    found = api.get("/api/v2/search", {"q": "口红", "type": "accounts"}).json()["accounts"]
    assert [a["username"] for a in found] == ["meimei"]
    found = api.get("/api/v1/accounts/search", {"q": "Lipstick"}).json()
    assert [a["username"] for a in found] == ["lipstick_lab"]
    page = Client().get("/search", {"q": "口红", "tab": "people"})
    assert page.status_code == 200
    assert "@meimei" in page.content.decode() and "@teaman" not in page.content.decode()
