"""Images in a real browser on a phone: described in the composer (the Remove button in the
reader's language), then looked at in the viewer, stepped through and closed."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from storefeed.posts.models import Status
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def photos(tmp_path, colours):
    paths = []
    for colour in colours:
        path = tmp_path / f"{colour}.png"
        Image.new("RGB", (320, 240), colour).save(path, "PNG")
        paths.append(str(path))
    return paths


def sign_in(page, username):
    page.goto("/login")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-9")
    page.click('[data-testid="login-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")


def test_describe_images_then_view_them(browser_page, tmp_path):
    make_user("mei")
    page = browser_page
    sign_in(page, "mei")
    page.goto("/compose")
    page.fill('[data-testid="compose-text"]', "Three colours")
    page.set_input_files(
        '[data-testid="compose-images"]', photos(tmp_path, ["red", "green", "blue"])
    )
    fields = page.locator('[data-testid="describe-image"]')
    expect(fields).to_have_count(3)
    fields.nth(0).fill("A red square")
    fields.nth(2).fill("A blue square")
    # Removing the green one keeps what was typed for the others.
    page.locator('[data-testid="preview-image"]').nth(1).get_by_role("button").click()
    expect(fields).to_have_count(2)
    expect(fields.nth(1)).to_have_value("A blue square")
    page.click('[data-testid="compose-submit"]')
    status = Status.objects.get(text="Three colours")
    assert [m.description for m in status.media.order_by("position")] == [
        "A red square",
        "A blue square",
    ]

    page.goto(f"/@mei/{status.pk}")
    page.locator('[data-testid="media-grid"] a').first.click()
    viewer = page.locator('[data-testid="image-viewer"]')
    expect(viewer).to_be_visible()
    expect(viewer.locator("img")).to_have_attribute("alt", "A red square")
    expect(viewer.locator(".viewer-count")).to_have_text("1 / 2")
    viewer.locator(".viewer-next").click()
    expect(viewer.locator("img")).to_have_attribute("alt", "A blue square")
    page.keyboard.press("ArrowRight")
    expect(viewer.locator(".viewer-count")).to_have_text("1 / 2")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert f"/@mei/{status.pk}" in page.url  # never left the page


def test_the_remove_button_speaks_chinese(browser_page, tmp_path):
    make_user("mei")
    page = browser_page
    sign_in(page, "mei")
    page.goto("/compose")
    page.evaluate(
        """() => fetch('/i18n/setlang/', {method: 'POST', headers: {'Content-Type':
        'application/x-www-form-urlencoded', 'X-CSRFToken': document.querySelector(
        '[name=csrfmiddlewaretoken]').value}, body: 'language=zh-hans&next=/compose'})"""
    )
    page.goto("/compose")
    page.set_input_files('[data-testid="compose-images"]', photos(tmp_path, ["red"]))
    remove = page.locator('[data-testid="preview-image"] button')
    expect(remove).to_have_attribute("aria-label", "移除")
