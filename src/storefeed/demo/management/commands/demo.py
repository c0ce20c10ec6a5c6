"""`storefeed demo`: load the demo network (once; running it again changes nothing)."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from storefeed.demo import DEMO_LOGINS
from storefeed.demo.builder import DemoBuilder

# The order in which the summary names what was created.
KINDS = (
    "accounts", "profiles", "experts", "fans", "fan follows", "follows", "follow requests",
    "posts", "replies", "images", "reposts", "likes", "bookmarks", "pins", "poll votes",
    # Commerce, when it is switched on.
    "seller applications", "sellers", "products", "product images", "third-party items",
    "product posts", "payment PINs", "top-ups", "addresses", "orders", "order steps",
    "cart items",
)  # fmt: skip


class Command(BaseCommand):
    help = (
        "Build the demo network: experts, fans, follows, posts with pictures, reposts, "
        "replies and likes; with commerce on, shops too: sellers, products, product posts, "
        "wallets and orders. Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        builder = DemoBuilder()
        total = sum(step.units for step in builder.steps())
        show = not options["no_progress"] and options["verbosity"] > 0
        started = time.monotonic()
        # The bar goes to the real stream under the command's stderr wrapper (which would add
        # a newline to every redraw), so `call_command(stderr=...)` still captures it.
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(
            total=total, desc="Demo", unit="step", disable=not show, file=stream, leave=False
        ) as bar:

            def tick(label: str) -> None:
                bar.set_description(f"Demo: {label}", refresh=False)
                bar.update(1)

            created = builder.build(tick)
        elapsed = time.monotonic() - started

        for warning in builder.warnings:
            self.stderr.write(self.style.WARNING(f"Skipped {warning}"))
        if not sum(created.values()):
            self.stdout.write("The demo data is already loaded; nothing changed.")
            return
        parts = [f"{created[k]:,} {k}" for k in KINDS if created[k]]
        parts += [f"{n:,} {k}" for k, n in created.items() if k not in KINDS and n]
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f}s: " + ", ".join(parts) + ".")
        )
        if options["verbosity"] > 0:
            self.stdout.write("Sign in as:")
            for username, password, description in DEMO_LOGINS:
                self.stdout.write(f"  {username:<8} {password:<18} {description}")
