"""The site installs as a web app: a manifest with icons that exist, a favicon on every page,
and /favicon.ico for browsers that ask for it by name (no 404 on every page)."""

import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def static_file(url: str) -> str:
    assert url.startswith("/static/")
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is a static file"
    return str(path)


def test_every_page_links_the_icons_and_the_manifest(client):
    page = client.get("/public").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'rel="icon" href="/static/web/img/favicon.ico"' in page
    assert 'rel="apple-touch-icon" href="/static/web/img/apple-touch-icon.png"' in page


def test_the_manifest_names_the_app_and_its_icons_exist(client):
    res = client.get("/manifest.webmanifest")
    assert res.status_code == 200
    assert res["Content-Type"] == "application/manifest+json"
    body = json.loads(res.content)
    assert body["name"] == "Storefeed" and body["display"] == "standalone"
    assert body["start_url"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in body["icons"])
    for icon in body["icons"]:
        with Image.open(static_file(icon["src"])) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_manifest_speaks_chinese(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = json.loads(client.get("/manifest.webmanifest").content)
    assert "关注" in body["description"]


def test_favicon_ico_leads_to_the_icon(client):
    res = client.get("/favicon.ico")
    assert res.status_code == 301
    assert res["Location"] == "/static/web/img/favicon.ico"
    static_file(res["Location"])


def test_the_manifest_refuses_writes(client):
    assert client.post("/manifest.webmanifest").status_code == 405
