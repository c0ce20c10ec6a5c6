"""Mastodon.py and toot against the server that `make run` starts (`storefeed serve`: gunicorn,
the worker and beat, on a fresh embedded database), not Django's test server."""

import json

import pytest

from tests.clients.test_toot import TootCli
from tests.test_serve import serve  # noqa: F401 (fixture)


@pytest.fixture
def base_url(serve):  # overrides tests/clients/conftest.py's live-server one
    _process, url = serve
    return url


def test_mastodonpy_and_toot_work_against_storefeed_serve(client_app, png_file, tmp_path):
    # Mastodon.py: register, post with an image, read it back on the public and tag timelines
    # without a token.
    fan = client_app.client()
    assert fan.create_account("dora", "a-long-passphrase-7", "dora@example.com", agreement=True)
    media = fan.media_post(str(png_file()), description="a swatch")
    posted = fan.status_post("Hello from Mastodon.py #lipstick", media_ids=[media])
    assert posted.url.endswith(f"/@dora/{posted.id}")
    assert posted.media_attachments[0].description == "a swatch"
    assert posted.media_attachments[0].blurhash
    anonymous = client_app.client()
    assert [s.id for s in anonymous.timeline_public()] == [posted.id]
    assert [s.id for s in anonymous.timeline_hashtag("lipstick")] == [posted.id]

    # toot's command line: log in with the password, who am I, post, read public.
    toot = TootCli(tmp_path / "toot-config")
    toot.run(
        "login_cli",
        "-i",
        client_app.base_url,
        "-e",
        "dora@example.com",
        "-p",
        "a-long-passphrase-7",
    )
    assert json.loads(toot.run("whoami", "--json").stdout)["username"] == "dora"
    second = json.loads(toot.run("post", "Hello from toot", "--json").stdout)
    assert second["account"]["username"] == "dora"
    assert [s.id for s in anonymous.timeline_public()] == [second["id"], posted.id]
