"""Mastodon.py against `storefeed serve`: what a client reads before anyone signs in (instance v1
and v2, nodeinfo, webfinger, health, the OAuth server's metadata), the start-up calls that
answer valid empties, and the OAuth grants beyond signing in: client credentials, refresh,
revoke, and granular scopes across the API."""

import pytest
import requests
from mastodon import MastodonAPIError, MastodonIllegalArgumentError, MastodonUnauthorizedError
from oauth2_provider.models import AccessToken

import storefeed
from storefeed.posts.models import Favourite, MediaAttachment, Status
from storefeed.posts.services import site_stats_refresh
from storefeed.social.models import Block, Follow, Mute
from storefeed.timelines.models import List as UserList
from tests.clients.conftest import SCOPES, mastodon_for
from tests.clients.wire import status_code


def test_instance_nodeinfo_webfinger_and_health(client_app, base_url, alice):
    anonymous = client_app.client()
    version = f"4.3.0 (compatible; Storefeed {storefeed.__version__})"
    host = base_url.removeprefix("http://")
    # The counts shown are the worker's last refresh, which the beat may have queued before
    # alice existed: refresh them now, as that task does.
    site_stats_refresh()

    v1 = anonymous.instance_v1()  # Mastodon.py asks for /api/v1/instance/ (trailing slash)
    assert v1.version == version
    assert v1.uri == host
    assert v1.configuration.statuses.max_characters == 2000
    assert v1.configuration.statuses.max_media_attachments == 9
    assert v1.stats.user_count == 1
    assert v1.registrations is True

    v2 = anonymous.instance_v2()
    assert v2.version == version
    assert v2.domain == host
    assert v2.api_versions.mastodon == 2
    assert v2.configuration.statuses.max_characters == 2000
    assert v2.configuration.statuses.max_media_attachments == 9
    assert "image/png" in v2.configuration.media_attachments.supported_mime_types
    assert v2.configuration.polls.max_options == 4
    # What Mastodon.py makes of it: a 4.3.0 server with API version 2, so v2 is the default.
    assert anonymous.instance().domain == host
    assert anonymous.mastodon_api_version == 2

    nodeinfo = anonymous.instance_nodeinfo()
    assert nodeinfo.version == "2.0"
    assert nodeinfo.software.name == "storefeed"
    assert nodeinfo.software.version == storefeed.__version__
    assert nodeinfo.usage.users.total == 1
    assert anonymous.instance_health() is True
    assert anonymous.instance_peers() == []
    weeks = anonymous.instance_activity()  # 12 real weeks, this one first
    assert len(weeks) == 12 and weeks[0].registrations == 1
    assert anonymous.instance_rules() == []

    # Webfinger: Mastodon.py has no method for it (it resolves remote accounts server-side).
    def webfinger(resource: str) -> requests.Response:
        url = f"{base_url}/.well-known/webfinger"
        return requests.get(url, params={"resource": resource}, timeout=30)

    found = webfinger("acct:alice@127.0.0.1")
    assert found.status_code == 200
    assert found.headers["Content-Type"].startswith("application/jrd+json")
    assert found.json()["subject"] == "acct:alice@127.0.0.1"
    (profile,) = found.json()["links"]
    assert profile["href"] == f"{base_url}/@alice"
    assert requests.get(profile["href"], timeout=30).status_code == 200
    assert webfinger(f"{base_url}/@alice").json()["subject"] == "acct:alice@127.0.0.1"
    missing = webfinger("acct:nobody@127.0.0.1")
    assert (missing.status_code, missing.json()) == (404, {"error": "Record not found"})
    assert webfinger("acct:alice@example.org").status_code == 404

    oauth = anonymous.oauth_authorization_server_info()
    assert oauth.issuer == f"{base_url}/"
    assert oauth.authorization_endpoint == f"{base_url}/oauth/authorize"
    assert oauth.revocation_endpoint == f"{base_url}/oauth/revoke"
    assert oauth.app_registration_endpoint == f"{base_url}/api/v1/apps"
    assert set(oauth.grant_types_supported) == {
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
    }
    assert {"read", "write", "follow", "push", "read:statuses", "write:follows"} <= set(
        oauth.scopes_supported
    )
    assert oauth.code_challenge_methods_supported == ["S256"]


def test_start_up_calls_answer_valid_empties(masto_for, alice):
    masto = masto_for(alice)
    for empty in (
        masto.custom_emojis,
        masto.filters,
        masto.filters_v2,
        masto.announcements,
        masto.trending_tags,
        masto.trending_statuses,
        masto.trending_links,
        masto.conversations,
        masto.suggestions,
        masto.endorsements,
        masto.domain_blocks,
        masto.follow_requests,
    ):
        assert empty() == [], empty.__name__
    assert masto.notifications_unread_count().count == 0
    assert masto.markers_get(["home", "notifications"]) == {}
    post = masto.status_post("Where I stopped reading")
    markers = masto.markers_set(["home"], [post])
    assert markers.home.last_read_id == post.id
    assert markers.home.updated_at.tzinfo is not None
    assert masto.markers_get("home").home.last_read_id == post.id
    preferences = masto.preferences()
    assert preferences["posting:default:visibility"] == "public"
    assert preferences["posting:default:sensitive"] is False
    assert preferences["reading:expand:spoilers"] is False
    # Anonymous clients get the public ones too.
    anonymous = mastodon_for(masto.api_base_url)
    assert anonymous.custom_emojis() == []
    assert anonymous.trending_tags() == []


def _token_by_client_credentials(client_app, scope: str = "read") -> dict:
    """Mastodon.py's log_in needs a user's password, code or refresh token: it has no method
    for the client-credentials grant (an app token), so this posts the form itself."""
    response = requests.post(
        f"{client_app.base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_app.client_id,
            "client_secret": client_app.client_secret,
            "scope": scope,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_client_credentials_refresh_and_revoke(client_app, alice):
    issued = _token_by_client_credentials(client_app, "read write")
    assert issued["token_type"] == "Bearer"
    assert issued["scope"] == "read write"
    assert isinstance(issued["created_at"], int)
    app_only = client_app.client(access_token=issued["access_token"])
    assert app_only.app_verify_credentials().name == "Storefeed client tests"
    assert app_only.timeline_public() == []  # a public read works with an app token
    # ...but nothing that needs a user.
    with pytest.raises(MastodonUnauthorizedError) as no_user:
        app_only.account_verify_credentials()
    assert no_user.value.args[3] == "This method requires an authenticated user"
    with pytest.raises(MastodonUnauthorizedError):
        app_only.status_post("Who posts this?")
    assert not Status.objects.exists()

    # The password grant hands out a refresh token; Mastodon.py keeps it and trades it in.
    signed_in = client_app.log_in("alice", scopes=["read", "write"])
    refresh_token = signed_in._refresh_token
    assert refresh_token
    first_token = signed_in.access_token
    refreshed = client_app.client()
    refreshed.log_in(refresh_token=refresh_token, scopes=["read", "write"], allow_http=True)
    assert refreshed.access_token != first_token
    assert refreshed.me().username == "alice"
    # The old access token and the spent refresh token are done with.
    with pytest.raises(MastodonUnauthorizedError):
        signed_in.me()
    again = client_app.client()
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_grant"):
        again.log_in(refresh_token=refresh_token, scopes=["read"], allow_http=True)
    # A refresh cannot widen the scopes.
    wider = client_app.client()
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_scope"):
        wider.log_in(refresh_token=refreshed._refresh_token, scopes=SCOPES, allow_http=True)

    # Another app cannot revoke this app's token (RFC 7009: it answers 200 and does nothing).
    token = refreshed.access_token
    other_id, other_secret = type(refreshed).create_app(
        "Another app", scopes=["read"], api_base_url=client_app.base_url
    )
    intruder = mastodon_for(
        client_app.base_url, client_id=other_id, client_secret=other_secret, access_token=token
    )
    intruder.revoke_access_token(allow_http=True)
    assert refreshed.me().username == "alice"
    refreshed.revoke_access_token(allow_http=True)
    stale = client_app.client(access_token=token)
    with pytest.raises(MastodonUnauthorizedError):
        stale.me()
    assert not AccessToken.objects.filter(user=alice).exists()


def test_granular_scopes_across_the_api(masto_for, alice, bob, png_file):
    bob_post = masto_for(bob).status_post("Bob's post")
    bob_id = str(bob.pk)

    def refused(call) -> None:
        with pytest.raises(MastodonAPIError) as error:
            call()
        assert status_code(error) == 403, error.value.args
        # (Mastodon.py drops the message when it casts a list endpoint's answer.)
        assert error.value.args[3] in (None, "This action is outside the authorized scopes")

    profile = masto_for(alice, ["profile"])
    assert profile.me().username == "alice"
    refused(lambda: profile.account(bob_id))
    refused(lambda: profile.timeline_home())

    accounts = masto_for(alice, ["read:accounts"])
    assert accounts.me().username == "alice"
    assert accounts.account(bob_id).username == "bob"
    refused(lambda: accounts.account_statuses(bob_id))
    refused(lambda: accounts.account_update_credentials(display_name="Not allowed"))

    follow = masto_for(alice, ["follow"])  # the legacy scope: follows, blocks and mutes
    assert follow.account_follow(bob_id).following is True
    assert follow.account_mute(bob_id).muting is True
    assert [a.username for a in follow.mutes()] == ["bob"]
    assert follow.blocks() == []
    refused(lambda: follow.status_post("Follow is not write"))
    refused(lambda: follow.list_create("Nor is it lists"))
    assert follow.account_unmute(bob_id).muting is False

    media = masto_for(alice, ["write:media"])
    assert media.media_post(png_file(), description="Allowed").description == "Allowed"
    refused(lambda: media.status_post("Media is not statuses"))

    likes = masto_for(alice, ["write:favourites", "read:favourites"])
    assert likes.status_favourite(bob_post.id).favourited is True
    assert [s.id for s in likes.favourites()] == [bob_post.id]
    refused(lambda: likes.status_bookmark(bob_post.id))
    refused(lambda: likes.status_reblog(bob_post.id))

    lists = masto_for(alice, ["write:lists"])
    assert lists.list_create("Friends").title == "Friends"
    refused(lambda: lists.lists())  # reading them is read:lists

    notifications = masto_for(bob, ["read:notifications"])
    assert [n.type for n in notifications.notifications()] == ["favourite", "follow"]
    refused(lambda: notifications.notifications_clear())

    search = masto_for(alice, ["read:search"])
    assert [a.acct for a in search.search_v2("bob", result_type="accounts").accounts] == ["bob"]

    # The refusals changed nothing.
    assert list(Status.objects.values_list("text", flat=True)) == ["Bob's post"]
    assert Favourite.objects.count() == 1
    assert MediaAttachment.objects.count() == 1
    assert list(UserList.objects.values_list("title", flat=True)) == ["Friends"]
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    assert not Block.objects.exists()
    assert not Mute.objects.exists()
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
