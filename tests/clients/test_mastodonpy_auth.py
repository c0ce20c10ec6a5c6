"""Mastodon.py against `storefeed serve`: registering an app, signing up, and every way to log
in (password grant with a username or an email, the authorization-code grant through the web
sign-in and consent pages, with and without PKCE), then revoking the token."""

from urllib.parse import urlsplit

import pytest
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonUnauthorizedError,
)

from storefeed.accounts.models import User
from tests.clients.conftest import (
    CALLBACK,
    OOB,
    SCOPES,
    PkceSession,
    mastodon_for,
    pkce_pair,
    redirect_query,
    shown_code,
)


def test_create_app_verify_it_and_read_the_instance(client_app, base_url):
    masto = client_app.client()
    # An app token (client credentials) is enough for apps/verify_credentials.
    app_only = client_app.client()
    response = app_only.session.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_app.client_id,
            "client_secret": client_app.client_secret,
            "scope": "read",
        },
        timeout=30,
    )
    app_only.access_token = response.json()["access_token"]
    app = app_only.app_verify_credentials()
    assert app.name == "Storefeed client tests"
    assert app.website == "http://127.0.0.1/"
    assert set(app.scopes) == set(SCOPES)
    assert masto.oauth_authorization_server_info().token_endpoint == f"{base_url}/oauth/token"

    # The version Mastodon.py reads decides which endpoints it lets us call ("created" mode).
    assert masto.retrieve_mastodon_version() == "4.3.0"
    assert masto.verify_minimum_version("4.3.0", cached=True)
    instance = masto.instance_v2()
    assert instance.configuration.statuses.max_characters == 2000
    assert instance.configuration.statuses.max_media_attachments == 9
    assert masto.instance_v1().uri


def test_register_an_account_and_use_the_token_at_once(client_app):
    masto = client_app.client()
    token = masto.create_account("dora", "a-long-passphrase-7", "dora@example.com", agreement=True)
    assert token and masto.access_token == token
    me = masto.account_verify_credentials()
    assert me.username == "dora"
    assert me.acct == "dora"
    assert User.objects.filter(username="dora", email="dora@example.com").exists()
    posted = masto.status_post("Hello from Mastodon.py")
    assert posted.account.id == me.id


def test_registration_refusals_come_back_with_details(client_app, alice):
    masto = client_app.client()
    token, error = masto.create_account(
        "alice",
        "a-long-passphrase-7",
        "new@example.com",
        agreement=True,
        return_detailed_error=True,
    )
    assert token is None
    assert error.details.username[0].error == "ERR_TAKEN"
    token, error = masto.create_account(
        "erin",
        "a-long-passphrase-7",
        "erin@example.com",
        agreement=False,
        return_detailed_error=True,
    )
    assert token is None
    assert error.details.agreement[0].error == "ERR_ACCEPTED"
    with pytest.raises(MastodonIllegalArgumentError):
        masto.create_account("bad name!", "a-long-passphrase-7", "x@example.com", agreement=True)
    assert not User.objects.filter(username__in=["erin", "bad name!"]).exists()
    assert User.objects.count() == 1


def test_password_grant_with_username_or_email(client_app, alice):
    for login in ("alice", "alice@example.com", "ALICE"):
        masto = client_app.log_in(login)
        assert masto.me().username == "alice", login


def test_password_grant_refusals(client_app, alice):
    masto = client_app.client()
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_grant"):
        masto.log_in("alice", "not-her-password", scopes=SCOPES, allow_http=True)
    # Scopes beyond what the app registered are refused.
    client_id, secret = Mastodon.create_app(
        "Read only", scopes=["read"], api_base_url=client_app.base_url
    )
    narrow = mastodon_for(client_app.base_url, client_id=client_id, client_secret=secret)
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_scope"):
        narrow.log_in("alice", "correct-horse-9", scopes=["read", "write"], allow_http=True)
    assert masto.access_token is None


def test_authorization_code_flow_through_the_web_sign_in(client_app, alice, browser, base_url):
    masto = client_app.client()
    url = masto.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    assert urlsplit(url).netloc == urlsplit(base_url).netloc
    parts = urlsplit(url)
    consent_page = browser.sign_in("alice@example.com", next_url=f"{parts.path}?{parts.query}")
    assert consent_page.status_code == 200
    assert 'data-testid="oauth-allow"' in consent_page.text
    code_page = browser.consent(consent_page)
    assert code_page.status_code == 200
    code = shown_code(code_page)

    token = masto.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert token
    assert masto.me().username == "alice"
    # A code works once.
    again = client_app.client()
    with pytest.raises(MastodonIllegalArgumentError):
        again.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)

    # Denying gives no code, and says so.
    denied = browser.consent(browser.session.get(url, timeout=30), allow=False)
    assert 'data-testid="oauth-denied"' in denied.text
    assert 'data-testid="oauth-code"' not in denied.text


def test_authorization_code_flow_with_pkce(client_app, alice, browser):
    session = PkceSession()
    masto = client_app.client(session=session)
    verifier, challenge = pkce_pair()
    url = masto.auth_request_url(
        redirect_uris=CALLBACK, scopes=["read", "write"], state="s-42", allow_http=True
    )
    url += f"&code_challenge={challenge}&code_challenge_method=S256"
    parts = urlsplit(url)
    consent_page = browser.sign_in("alice", next_url=f"{parts.path}?{parts.query}")
    answer = redirect_query(browser.consent(consent_page))
    assert answer["state"] == ["s-42"]
    code = answer["code"][0]

    # Without the verifier (plain Mastodon.py sends none), the code is refused...
    plain = client_app.client()
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_request"):
        plain.log_in(code=code, redirect_uri=CALLBACK, scopes=["read", "write"], allow_http=True)

    # ...and the failed try spent it: ask again, and exchange it with the verifier.
    consent_page = browser.session.get(url, timeout=30)
    code = redirect_query(browser.consent(consent_page))["code"][0]
    session.code_verifier = verifier
    masto.log_in(code=code, redirect_uri=CALLBACK, scopes=["read", "write"], allow_http=True)
    assert masto.me().username == "alice"
    assert masto.status_post("signed in with PKCE").content


def test_revoked_token_is_refused(client_app, alice):
    masto = client_app.log_in("alice")
    token = masto.access_token
    masto.revoke_access_token(allow_http=True)
    stale = mastodon_for(client_app.base_url, access_token=token)
    with pytest.raises(MastodonUnauthorizedError):
        stale.account_verify_credentials()


def test_granular_scopes_allow_only_what_they_name(client_app, alice):
    masto = client_app.client()
    # log_in raises if the server grants less than asked: here it grants both.
    masto.log_in(
        "alice", "correct-horse-9", scopes=["read:statuses", "write:statuses"], allow_http=True
    )
    assert masto.status_post("granular").visibility == "public"
    with pytest.raises(MastodonAPIError) as refused:
        masto.account_verify_credentials()
    assert refused.value.args[1] == 403


def test_the_loopback_guard_stops_any_other_address():
    # 192.0.2.1 is TEST-NET-1: the guard refuses before any packet leaves.
    masto = mastodon_for("http://192.0.2.1:9", version_check_mode="none", request_timeout=2)
    with pytest.raises(MastodonNetworkError, match="outside loopback"):
        masto.instance_v1()
