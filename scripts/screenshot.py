#!/usr/bin/env python3
"""Take docs/screenshot.png: the demo user's home timeline, from a running `make run`.

Usage: .venv/bin/python scripts/screenshot.py [--url http://127.0.0.1:8000] [--user demo]
The password comes from storefeed.demo.DEMO_LOGINS unless --password is given.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def demo_password(username: str) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
    import django

    django.setup()
    from storefeed.demo import DEMO_LOGINS

    for name, password, _ in DEMO_LOGINS:
        if name == username:
            return password
    raise SystemExit(f"{username} is not a demo sign-in; pass --password")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--language", default="en", help="en or zh-hans")
    args = parser.parse_args()
    password = args.password or demo_password(args.user)

    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("STOREFEED_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(
            viewport={"width": args.width, "height": args.height},
            locale="zh-CN" if args.language.startswith("zh") else "en-US",
            device_scale_factor=1,
        )
        page.goto(f"{args.url}/login")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", password)
        page.click('[data-testid="login-submit"]')
        page.wait_for_selector('[data-testid="feed"] [data-testid="status"]')
        # Let lazy images load before the picture is taken.
        page.wait_for_load_state("networkidle")
        for image in page.locator("img[loading=lazy]").all()[:12]:
            image.scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=args.out)
        browser.close()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
