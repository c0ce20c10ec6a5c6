"""toot against `storefeed serve`, two ways: its command line (a subprocess with its own config
directory under tmp_path, as a person would run it) and its Python API (toot.api with a
toot.App and toot.User)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from toot import App, User, api
from toot.exceptions import ApiError, ConsoleError, NotFoundError

from storefeed.posts.models import Status
from storefeed.social.models import Follow
from tests.clients.conftest import PASSWORD, png_bytes, settle

TOOT = str(Path(sys.executable).with_name("toot"))


class TootCli:
    """Runs `toot ...` with XDG_CONFIG_HOME in a temporary directory."""

    def __init__(self, config_home: Path) -> None:
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(config_home),
            "NO_PROXY": "127.0.0.1,localhost,::1",
            "no_proxy": "127.0.0.1,localhost,::1",
            "COLUMNS": "120",
        }
        self.env.pop("TOOT_TESTING", None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [TOOT, "--no-color", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done


@pytest.fixture
def toot_cli(tmp_path: Path) -> TootCli:
    return TootCli(tmp_path / "config")


def test_toot_cli_logs_in_posts_follows_and_reads(toot_cli, base_url, alice, bob):
    login = toot_cli.run("login_cli", "-i", base_url, "-e", "alice@example.com", "-p", PASSWORD)
    assert "Successfully logged in" in login.stdout

    whoami = toot_cli.run("whoami", "--json")
    assert json.loads(whoami.stdout)["username"] == "alice"

    posted = toot_cli.run("post", "Hello from toot #lipstick", "--json")
    status = json.loads(posted.stdout)
    assert status["account"]["username"] == "alice"
    assert status["url"] == f"{base_url}/@alice/{status['id']}"
    assert Status.objects.get(pk=int(status["id"])).text == "Hello from toot #lipstick"

    followed = toot_cli.run("follow", "bob")
    assert "You are now following bob" in followed.stdout
    assert Follow.objects.filter(follower=alice, target=bob).exists()

    settle()  # the worker puts the post on her home timeline
    home = toot_cli.run("timeline", "--once")
    assert "Hello from toot" in home.stdout
    assert "@alice" in home.stdout

    config = json.loads(
        (Path(toot_cli.env["XDG_CONFIG_HOME"]) / "toot" / "config.json").read_text()
    )
    (user_id,) = config["users"]
    assert user_id.startswith("alice@")
    assert all(app["base_url"] == base_url for app in config["apps"].values())


def test_toot_cli_refuses_a_wrong_password(toot_cli, base_url, alice):
    failed = toot_cli.run("login_cli", "-i", base_url, "-e", "alice", "-p", "wrong", ok=False)
    assert failed.returncode != 0
    assert "Login failed" in failed.stderr
    config = json.loads(
        (Path(toot_cli.env["XDG_CONFIG_HOME"]) / "toot" / "config.json").read_text()
    )
    assert config["users"] == {}
    assert len(config["apps"]) == 1  # the app was registered; no one is signed in


# toot's Python API ------------------------------------------------------------------------


@pytest.fixture
def toot_app(base_url) -> App:
    registered = api.create_app(base_url)
    return App("storefeed-test", base_url, registered["client_id"], registered["client_secret"])


def toot_user(app: App, login: str) -> User:
    token = api.login(app, login, PASSWORD)["access_token"]
    me = api.verify_credentials(app, User(app.instance, "", token)).json()
    return User(app.instance, me["username"], token)


def test_toot_api_registers_posts_with_media_and_a_poll_and_pages(toot_app, alice, tmp_path):
    registered = api.register_account(toot_app, "erin", "erin@example.com", "a-long-passphrase-7")
    erin = User(toot_app.instance, "erin", registered["access_token"])
    assert api.verify_credentials(toot_app, erin).json()["username"] == "erin"

    picture = tmp_path / "shade.png"
    picture.write_bytes(png_bytes())
    with picture.open("rb") as file:
        media = api.upload_media(toot_app, erin, file, description="A shade").json()
    assert media["type"] == "image"
    with_media = api.post_status(toot_app, erin, "With a picture", media_ids=[media["id"]]).json()
    assert [m["id"] for m in with_media["media_attachments"]] == [media["id"]]

    with_poll = api.post_status(
        toot_app, erin, "Which one?", poll_options=["Red", "Nude"], poll_expires_in=3600
    ).json()
    alice_user = toot_user(toot_app, "alice@example.com")
    voted = api.vote(toot_app, alice_user, with_poll["poll"]["id"], [0])
    assert voted["own_votes"] == [0]
    assert api.get_poll(toot_app, erin, with_poll["poll"]["id"]).json()["votes_count"] == 1

    api.follow(toot_app, alice_user, registered_id := with_media["account"]["id"])
    assert api.get_relationship(toot_app, alice_user, registered_id)["following"] is True
    for n in range(3):
        api.post_status(toot_app, erin, f"Update {n}")
    settle()

    # The generator follows the Link headers: five posts in pages of two.
    pages = list(api.home_timeline_generator(toot_app, alice_user, limit=2))
    ids = [s["id"] for page in pages for s in page]
    assert [len(page) for page in pages[:3]] == [2, 2, 1]
    assert len(ids) == len(set(ids)) == 5
    assert ids == sorted(ids, key=int, reverse=True)

    api.favourite(toot_app, alice_user, with_media["id"])
    api.reblog(toot_app, alice_user, with_media["id"])
    api.bookmark(toot_app, alice_user, with_media["id"])
    context_reply = api.post_status(
        toot_app, alice_user, "@erin lovely", in_reply_to_id=with_media["id"]
    ).json()
    assert context_reply["in_reply_to_id"] == with_media["id"]
    notes = api.get_notifications(toot_app, erin).json()
    assert {n["type"] for n in notes} == {"follow", "favourite", "reblog", "mention"}
    bookmarked = next(api.bookmark_timeline_generator(toot_app, alice_user))
    assert [s["id"] for s in bookmarked] == [with_media["id"]]

    anonymous = next(api.anon_public_timeline_generator(toot_app.base_url, limit=40))
    # As on Mastodon, the public timeline leaves out replies to others and reposts.
    public_ids = [s["id"] for s in anonymous]
    assert with_media["id"] in public_ids
    assert context_reply["id"] not in public_ids
    assert all(s["reblog"] is None for s in anonymous)
    tagged = api.post_status(toot_app, erin, "Tagged #lipstick").json()
    by_tag = next(api.anon_tag_timeline_generator(toot_app.base_url, "lipstick"))
    assert [s["id"] for s in by_tag] == [tagged["id"]]


def test_toot_api_refusals(toot_app, alice, bob):
    alice_user = toot_user(toot_app, "alice")
    bob_user = toot_user(toot_app, "bob")
    private = api.post_status(toot_app, alice_user, "Fans only", visibility="private").json()
    public = api.post_status(toot_app, alice_user, "Alice's own").json()
    with pytest.raises(NotFoundError):
        api.fetch_status(toot_app, bob_user, private["id"])
    with pytest.raises(NotFoundError):
        api.delete_status(toot_app, bob_user, private["id"])
    with pytest.raises(NotFoundError):  # someone else's post is not found, as in Mastodon
        api.delete_status(toot_app, bob_user, public["id"])
    with pytest.raises(ConsoleError, match="Account not found"):
        api.find_account(toot_app, alice_user, "nobody_here")
    with pytest.raises(ApiError, match="The access token is invalid"):
        api.verify_credentials(toot_app, User(toot_app.instance, "x", "forged"))
    with pytest.raises(ApiError):
        api.login(toot_app, "alice", "not-her-password")
    with pytest.raises(ApiError, match="Validation failed"):
        api.post_status(toot_app, alice_user, "One option", poll_options=["Only"])
    assert sorted(Status.objects.values_list("text", flat=True)) == ["Alice's own", "Fans only"]
    assert not Follow.objects.exists()
