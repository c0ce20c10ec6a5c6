"""Apps and OAuth 2: registration, the code flow with PKCE and out-of-band, the password,
client-credentials and refresh grants, revocation, scopes, and every refusal's shape."""

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from storefeed.api.models import ClientApp

pytestmark = pytest.mark.django_db

OOB = "urn:ietf:wg:oauth:2.0:oob"
PASSWORD = "correct-horse-9"  # the conftest accounts' password


def register(client: Client, **data) -> dict:
    payload = {"client_name": "Toot", "redirect_uris": OOB, "scopes": "read write follow push"}
    payload.update(data)
    response = client.post("/api/v1/apps", payload)
    assert response.status_code == 200, response.content
    return response.json()


def token(client: Client, **data):
    return client.post("/oauth/token", data)


def pkce_pair() -> tuple[str, str]:
    verifier = "v" * 20 + "-some-long-random-verifier-0123456789"
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return verifier, challenge


def bearer(value: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {value}"})


# Apps ---------------------------------------------------------------------------------


def test_register_app_returns_the_application_entity_with_its_secret(anon):
    app = register(
        anon, website="https://toot.example", redirect_uris=f"{OOB}\nhttps://a.example/cb"
    )
    assert app["name"] == "Toot"
    assert app["website"] == "https://toot.example"
    assert app["scopes"] == ["read", "write", "follow", "push"]
    assert app["redirect_uris"] == [OOB, "https://a.example/cb"]
    assert app["redirect_uri"] == f"{OOB}\nhttps://a.example/cb"
    assert app["client_secret_expires_at"] == 0
    assert "vapid_key" in app
    stored = Application.objects.get(client_id=app["client_id"])
    assert stored.client_secret != app["client_secret"]  # kept hashed
    assert ClientApp.objects.get(application=stored).scopes == "read write follow push"


def test_register_app_takes_json_arrays(anon):
    response = anon.post(
        "/api/v1/apps",
        {
            "client_name": "Masto",
            "redirect_uris": [OOB, "com.example.app://oauth"],
            "scopes": "read",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["redirect_uris"] == [OOB, "com.example.app://oauth"]
    assert response.json()["scopes"] == ["read"]


def test_register_app_defaults_to_read(anon):
    assert register(anon, scopes="")["scopes"] == ["read"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"client_name": ""}, "client_name"),
        ({"client_name": "x" * 61}, "client_name"),
        ({"redirect_uris": ""}, "redirect_uris"),
        ({"redirect_uris": "not a uri"}, "redirect_uris"),
        ({"redirect_uris": "https://a.example/cb#frag"}, "redirect_uris"),
        ({"scopes": "read admin:everything"}, "scopes"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_register_app_refuses_bad_input(anon, data, field):
    payload = {"client_name": "Toot", "redirect_uris": OOB, "scopes": "read"}
    payload.update(data)
    response = anon.post("/api/v1/apps", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Validation failed")
    assert field in body["details"]
    assert not Application.objects.exists()


def test_register_app_refuses_malformed_json_and_wrong_types(anon):
    bad = anon.post("/api/v1/apps", "{nope", content_type="application/json")
    assert bad.status_code == 400
    assert "error" in bad.json()
    wrong = anon.post(
        "/api/v1/apps",
        {"client_name": "x", "redirect_uris": [OOB, 5], "scopes": "read"},
        content_type="application/json",
    )
    assert wrong.status_code == 422
    name = anon.post(
        "/api/v1/apps",
        {"client_name": {"a": 1}, "redirect_uris": OOB},
        content_type="application/json",
    )
    assert name.status_code == 422
    assert not Application.objects.exists()


def test_app_verify_credentials_needs_a_valid_token(anon, api_client, alice):
    app_client = api_client(None, scopes="read")
    response = app_client.get("/api/v1/apps/verify_credentials")
    assert response.status_code == 200
    assert response.json()["name"] == "Test app"
    assert "client_secret" not in response.json()
    assert api_client(alice).get("/api/v1/apps/verify_credentials").status_code == 200
    assert anon.get("/api/v1/apps/verify_credentials").status_code == 401
    assert bearer("nonsense").get("/api/v1/apps/verify_credentials").status_code == 401


# The authorization-code flow -----------------------------------------------------------------


def authorize_url(app: dict, **extra) -> str:
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": app["redirect_uris"][0],
        "scope": "read write",
    }
    query.update(extra)
    return "/oauth/authorize?" + urlencode(query)


def consent_form(page_client: Client, url: str) -> dict:
    """The hidden fields of the consent form, as the browser would post them."""
    response = page_client.get(url)
    assert response.status_code == 200, response.content
    form = response.context["form"]
    return {name: form.initial.get(name) or "" for name in form.fields if name != "allow"}


def test_authorize_sends_a_signed_out_person_to_sign_in_and_back(anon):
    app = register(anon)
    url = authorize_url(app)
    response = anon.get(url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/login")
    assert parse_qs(urlsplit(location).query)["next"] == [url]


def test_consent_page_names_the_app_and_the_scopes(anon, alice, client_for):
    app = register(anon, redirect_uris="https://app.example/cb")
    page = client_for(alice).get(authorize_url(app, scope="read follow"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Toot" in text
    assert "Follow, block and mute accounts" in text
    assert 'data-testid="oauth-allow"' in text


def test_code_flow_with_pkce_gives_a_working_token(anon, alice, client_for):
    app = register(anon, redirect_uris="https://app.example/cb")
    verifier, challenge = pkce_pair()
    browser = client_for(alice)
    url = authorize_url(app, code_challenge=challenge, code_challenge_method="S256", state="xyz")
    fields = consent_form(browser, url)
    approved = browser.post("/oauth/authorize", {**fields, "allow": "on"})
    assert approved.status_code == 302
    location = urlsplit(approved["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.example/cb"
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]

    wrong = token(
        anon,
        grant_type="authorization_code",
        code=code,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri="https://app.example/cb",
        code_verifier="not-the-verifier-" + "x" * 30,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    # A code is single-use and the failed attempt above spent it: ask again.
    fields = consent_form(browser, url)
    code = parse_qs(
        urlsplit(browser.post("/oauth/authorize", {**fields, "allow": "on"})["Location"]).query
    )["code"][0]
    granted = token(
        anon,
        grant_type="authorization_code",
        code=code,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri="https://app.example/cb",
        code_verifier=verifier,
    )
    assert granted.status_code == 200, granted.content
    entity = granted.json()
    assert entity["token_type"] == "Bearer"
    assert entity["scope"] == "read write"
    assert isinstance(entity["created_at"], int)
    me = bearer(entity["access_token"]).get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_out_of_band_code_is_shown_to_copy(anon, alice, client_for):
    app = register(anon)
    browser = client_for(alice)
    fields = consent_form(browser, authorize_url(app))
    page = browser.post("/oauth/authorize", {**fields, "allow": "on"})
    assert page.status_code == 200
    code = page.context["code"]
    assert code
    assert f'value="{code}"' in page.content.decode()
    granted = token(
        anon,
        grant_type="authorization_code",
        code=code,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri=OOB,
    )
    assert granted.status_code == 200
    assert AccessToken.objects.get(user=alice).scope == "read write"


def test_denying_sends_access_denied_and_issues_nothing(anon, alice, client_for):
    app = register(anon, redirect_uris="https://app.example/cb")
    browser = client_for(alice)
    fields = consent_form(browser, authorize_url(app))
    denied = browser.post("/oauth/authorize", fields)
    assert denied.status_code == 302
    assert parse_qs(urlsplit(denied["Location"]).query)["error"] == ["access_denied"]
    assert not AccessToken.objects.exists()


def test_phone_app_scheme_redirect_is_followed(anon, alice, client_for):
    app = register(anon, redirect_uris="com.example.app://oauth")
    browser = client_for(alice)
    fields = consent_form(browser, authorize_url(app))
    approved = browser.post("/oauth/authorize", {**fields, "allow": "on"})
    assert approved.status_code == 302
    assert approved["Location"].startswith("com.example.app://oauth?code=")


def test_authorize_refuses_scopes_beyond_the_app_and_unknown_clients(anon, alice, client_for):
    app = register(anon, scopes="read", redirect_uris="https://app.example/cb")
    browser = client_for(alice)
    beyond = browser.get(authorize_url(app, scope="write"))
    assert beyond.status_code == 302
    assert parse_qs(urlsplit(beyond["Location"]).query)["error"] == ["invalid_scope"]
    unknown = browser.get(authorize_url({"client_id": "nope", "redirect_uris": [OOB]}))
    assert unknown.status_code in {400, 401}
    assert 'data-testid="oauth-error"' in unknown.content.decode()
    elsewhere = browser.get(authorize_url(app, redirect_uri="https://evil.example/cb"))
    assert elsewhere.status_code == 400
    assert "evil.example" not in elsewhere.get("Location", "")


def test_out_of_band_errors_are_shown_on_the_page(anon, alice, client_for):
    app = register(anon, scopes="read")
    browser = client_for(alice)
    beyond = browser.get(authorize_url(app, scope="write"))
    assert beyond.status_code == 200
    assert 'data-testid="oauth-error"' in beyond.content.decode()
    fields = consent_form(browser, authorize_url(app, scope="read"))
    denied = browser.post("/oauth/authorize", fields)
    assert 'data-testid="oauth-denied"' in denied.content.decode()
    assert not AccessToken.objects.exists()


def test_consent_post_needs_the_csrf_token(anon, alice):
    app = register(anon)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    fields = consent_form(browser, authorize_url(app))
    refused = browser.post("/oauth/authorize", {**fields, "allow": "on"})
    assert refused.status_code == 403
    assert not AccessToken.objects.exists()


# Password, client credentials, refresh, revoke ------------------------------------------


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com"])
def test_password_grant_with_username_or_email(anon, alice, login):
    app = register(anon)
    response = token(
        anon,
        grant_type="password",
        username=login,
        password=PASSWORD,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read write",
    )
    assert response.status_code == 200, response.content
    assert (
        AccessToken.objects.get(
            token_checksum=hashlib.sha256(response.json()["access_token"].encode()).hexdigest()
        ).user
        == alice
    )


def test_password_grant_takes_a_json_body(anon, alice):
    app = register(anon)
    response = anon.post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": "alice",
            "password": PASSWORD,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "wrong-password"}, "invalid_grant"),
        ({"username": "nobody"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"scope": "read admin"}, "invalid_scope"),
        ({"grant_type": "magic"}, "unsupported_grant_type"),
    ],
)
def test_token_refusals_have_oauth_error_shape(anon, alice, change, error):
    app = register(anon)
    data = {
        "grant_type": "password",
        "username": "alice",
        "password": PASSWORD,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "scope": "read",
    }
    data.update(change)
    response = token(anon, **data)
    assert response.status_code in {400, 401}
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert not AccessToken.objects.exists()


def test_token_endpoint_refuses_malformed_json(anon):
    response = anon.post("/oauth/token", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_scopes_granted_stay_within_the_app(anon, alice):
    app = register(anon, scopes="read")
    response = token(
        anon,
        grant_type="password",
        username="alice",
        password=PASSWORD,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read write",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    granular = token(
        anon,
        grant_type="password",
        username="alice",
        password=PASSWORD,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read:statuses",
    )
    assert granular.status_code == 200
    assert granular.json()["scope"] == "read:statuses"


def test_client_credentials_gives_an_app_token(anon, alice):
    app = register(anon)
    response = token(
        anon,
        grant_type="client_credentials",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read write",
    )
    assert response.status_code == 200
    assert "refresh_token" not in response.json()
    app_client = bearer(response.json()["access_token"])
    assert app_client.get("/api/v1/apps/verify_credentials").status_code == 200
    me = app_client.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 401
    assert me.json()["error"] == "This method requires an authenticated user"


def test_refresh_token_gives_a_new_access_token(anon, alice):
    app = register(anon)
    first = token(
        anon,
        grant_type="password",
        username="alice",
        password=PASSWORD,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read",
    ).json()
    refreshed = token(
        anon,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert refreshed.status_code == 200, refreshed.content
    new = refreshed.json()
    assert new["access_token"] != first["access_token"]
    assert new["scope"] == "read"
    assert bearer(new["access_token"]).get("/api/v1/accounts/verify_credentials").status_code == 200
    again = token(
        anon,
        grant_type="refresh_token",
        refresh_token="not-a-refresh-token",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_revoke_ends_the_token(anon, alice):
    app = register(anon)
    access = token(
        anon,
        grant_type="password",
        username="alice",
        password=PASSWORD,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read",
    ).json()["access_token"]
    assert bearer(access).get("/api/v1/accounts/verify_credentials").status_code == 200
    revoked = anon.post(
        "/oauth/revoke",
        {"token": access, "client_id": app["client_id"], "client_secret": app["client_secret"]},
    )
    assert revoked.status_code == 200
    assert revoked.json() == {}
    after = bearer(access).get("/api/v1/accounts/verify_credentials")
    assert after.status_code == 401
    assert after.json() == {"error": "The access token is invalid"}


def test_revoke_needs_the_client_secret(anon, alice):
    app = register(anon)
    access = token(
        anon,
        grant_type="password",
        username="alice",
        password=PASSWORD,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read",
    ).json()["access_token"]
    refused = anon.post(
        "/oauth/revoke", {"token": access, "client_id": app["client_id"], "client_secret": "x"}
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert bearer(access).get("/api/v1/accounts/verify_credentials").status_code == 200


def test_token_and_api_posts_need_no_csrf_token_and_never_redirect(alice):
    browser = Client(enforce_csrf_checks=True)
    app = register(browser)
    response = browser.post(
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read"
    assert (
        browser.post("/api/v1/apps/", {"client_name": "x", "redirect_uris": OOB}).status_code == 200
    )


def test_authorization_server_metadata(anon):
    response = anon.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    meta = response.json()
    assert meta["token_endpoint"] == "http://testserver/oauth/token"
    assert meta["authorization_endpoint"] == "http://testserver/oauth/authorize"
    assert meta["revocation_endpoint"] == "http://testserver/oauth/revoke"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {"authorization_code", "password", "client_credentials", "refresh_token"} <= set(
        meta["grant_types_supported"]
    )
    assert "read:statuses" in meta["scopes_supported"]


# Scopes on the API ---------------------------------------------------------------------


def test_wrong_scope_is_403_and_no_or_bad_token_is_401(api_client, anon, bob):
    read_only = api_client(bob, scopes="read")
    follow = read_only.post(f"/api/v1/accounts/{bob.pk}/follow")
    assert follow.status_code == 403
    assert follow.json() == {"error": "This action is outside the authorized scopes"}
    write_only = api_client(bob, scopes="write")
    assert write_only.get("/api/v1/accounts/verify_credentials").status_code == 403
    profile = api_client(bob, scopes="profile")
    assert profile.get("/api/v1/accounts/verify_credentials").status_code == 200
    assert profile.get("/api/v1/blocks").status_code == 403
    assert anon.get("/api/v1/accounts/verify_credentials").status_code == 401
    assert bearer("x" * 30).get("/api/v1/accounts/verify_credentials").status_code == 401
    assert json.loads(anon.get("/api/v1/blocks").content)["error"]


# Issue 10: PKCE is S256 only, as the metadata says; parameters a database cannot take are
# refused up front.


@pytest.mark.parametrize("method", ["plain", None])
def test_pkce_plain_is_refused(anon, alice, client_for, method):
    app = register(anon, redirect_uris="https://app.example/cb")
    verifier, _challenge = pkce_pair()
    extra = {"code_challenge": verifier}
    if method is not None:
        extra["code_challenge_method"] = method
    page = client_for(alice).get(authorize_url(app, **extra))
    # DOT answers an invalid request by sending the error to the app's redirect URI.
    assert page.status_code in (302, 400), page.content
    if page.status_code == 302:
        query = parse_qs(urlsplit(page["Location"]).query)
        assert query["error"] == ["invalid_request"], page["Location"]
        assert "code" not in query
    assert anon.get("/.well-known/oauth-authorization-server").json()[
        "code_challenge_methods_supported"
    ] == ["S256"]


@pytest.mark.parametrize("field", ["username", "password", "client_id", "client_secret", "scope"])
def test_a_nul_byte_in_the_password_grant_is_400(anon, alice, field):
    app = register(anon)
    data = {
        "grant_type": "password",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "username": "alice",
        "password": PASSWORD,
        "scope": "read",
    }
    data[field] += "\x00"
    response = token(anon, **data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    as_json = anon.post("/oauth/token", json.dumps(data), content_type="application/json")
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"


def test_a_lone_surrogate_or_deep_json_in_the_token_request_is_400(anon):
    surrogate = anon.post(
        "/oauth/token",
        '{"grant_type": "password", "username": "\\ud800"}',
        content_type="application/json",
    )
    assert surrogate.status_code == 400
    deep = anon.post("/oauth/token", "[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert deep.status_code == 400
    broken = anon.post("/oauth/token", b"--x", content_type="multipart/form-data")
    assert broken.status_code == 400


def test_a_nul_byte_on_the_authorize_page_is_400(anon, alice, client_for):
    app = register(anon, redirect_uris="https://app.example/cb")
    page = client_for(alice).get(authorize_url({**app, "client_id": app["client_id"] + "\x00"}))
    assert page.status_code == 400
    # A person's browser is on this page: an HTML page, in their language, not OAuth's JSON.
    assert page["Content-Type"].startswith("text/html")
    assert 'data-testid="oauth-error"' in page.content.decode()
    zh = client_for(alice).get(
        authorize_url(app, scope="read\x00"), headers={"Accept-Language": "zh-hans"}
    )
    assert zh.status_code == 400 and zh["Content-Type"].startswith("text/html")
    assert "无法授权这个应用" in zh.content.decode()
