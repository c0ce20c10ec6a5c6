"""The shop API's edge: bearer tokens and scopes, the error shape, bad JSON, the OpenAPI
document."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.wallet.models import TopUp
from tests.shop_api.conftest import BASE

READS = ["/wallet", "/wallet/entries", "/seller/eligibility", "/products"]
WRITES = [
    ("/wallet/topups", {"amount": "10.00"}),
    ("/wallet/pin", {"pin": "123456", "password": "x"}),
    ("/seller/applications", {}),
    ("/products", {"title": "Tea", "price": "1.00"}),
    ("/external_items", {"url": "https://example.com/"}),
]


@pytest.mark.parametrize("path", READS)
def test_without_a_token_every_endpoint_is_401(db, path):
    response = Client().get(BASE + path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["error"]


@pytest.mark.parametrize("path", READS)
def test_an_unknown_or_expired_token_is_401(api, alice, path):
    client = api(alice)
    client.token.expires = timezone.now() - dt.timedelta(seconds=1)
    client.token.save()
    assert client.get(path).status_code == 401
    other = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert other.get(BASE + path).status_code == 401


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_a_read_only_token_cannot_write_and_nothing_changes(api, alice, path, body):
    response = api(alice, scope="read").post(path, body, key="k1")
    assert response.status_code == 403
    assert "write" in response.json()["error"]
    assert TopUp.objects.count() == 0


@pytest.mark.parametrize("path", READS)
def test_a_write_only_token_cannot_read(api, alice, path):
    assert api(alice, scope="write").get(path).status_code == 403


def test_granular_shop_scopes_and_the_top_level_ones_both_work(api, alice):
    assert api(alice, scope="read:shop").get("/wallet").status_code == 200
    assert api(alice, scope="read").get("/wallet").status_code == 200
    assert api(alice, scope="read:statuses").get("/wallet").status_code == 403
    response = api(alice, scope="write:shop").post(
        "/wallet/topups", {"amount": "1.00"}, key="granular"
    )
    assert response.status_code == 201


def test_a_disabled_account_is_403(api, alice):
    client = api(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert client.get("/wallet").status_code == 403


def test_malformed_json_is_400_in_the_error_shape(api, alice):
    response = api(alice).post("/wallet/topups", raw="{not json", key="k")
    assert response.status_code == 400
    assert response.json() == {
        "error": "The request body is not valid JSON.",
        "code": "bad_request",
    }
    assert TopUp.objects.count() == 0


def test_wrongly_typed_fields_are_422_with_details_per_field(api, alice):
    response = api(alice).post("/wallet/topups", {"amount": ["1.00"]}, key="k")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "amount" in body["details"]["fields"]
    assert body["error"].startswith("Validation failed: amount")
    assert TopUp.objects.count() == 0


def test_domain_refusals_carry_code_and_field(api, alice):
    response = api(alice).post("/wallet/topups", {"amount": "0"}, key="k")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["details"]["field"] == "amount"
    assert body["error"] == "The amount must be more than zero."


def test_an_unknown_id_is_404_and_a_malformed_one_422(api, alice):
    assert api(alice).get("/products/12345").status_code == 404
    assert api(alice).get("/products/12345").json()["code"] == "not_found"
    assert api(alice).get("/products/abc").status_code == 422


def test_the_openapi_document_lists_every_endpoint(db):
    document = Client().get("/api/docs").json()
    assert document["info"]["title"] == "Storefeed shop API"
    paths = document["paths"]
    for path in [
        "/api/shop/v1/seller/eligibility",
        "/api/shop/v1/products/{product_id}",
        "/api/shop/v1/wallet/topups",
        "/api/shop/v1/external_items",
    ]:
        assert path in paths
    same = Client().get("/api/shop/v1/openapi.json").json()
    assert same["paths"].keys() == paths.keys()


def test_a_token_for_another_resource_is_refused_by_the_audience_check(api, alice):
    """Tokens are checked with one query; one restricted to resources (RFC 8707) still goes
    through oauthlib, whose audience check decides."""
    client = api(alice)
    client.token.resource = ["https://elsewhere.example/"]
    client.token.save()
    assert client.get("/wallet").status_code == 401
    client.token.resource = ["http://testserver/"]
    client.token.save()
    assert client.get("/wallet").status_code == 200
