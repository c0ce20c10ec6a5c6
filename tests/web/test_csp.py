"""Every page is served with the Content-Security-Policy (config/settings.py): scripts and
styles from the site's own files only; tests/browser fails on any violation in Chromium."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_a_policy_without_inline_scripts_or_styles(client, alice):
    policy = client.get("/login")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_no_template_holds_inline_scripts_styles_or_handlers():
    """What the policy would refuse, caught before a browser does."""
    import re
    from pathlib import Path

    import storefeed

    root = Path(storefeed.__file__).parent
    inline = re.compile(
        r"<style|<script(?![^>]*\b(src=|type=\"application/ld\+json\"))|"
        r"\son[a-z]+=\"|\sstyle=\"|hx-on"
    )
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("templates/**/*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []
