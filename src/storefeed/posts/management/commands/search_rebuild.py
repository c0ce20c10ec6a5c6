"""`storefeed search_rebuild`: write every full-text index row again (posts, and products and
third-party items when commerce is on)."""

from typing import Any

from django.core.management.base import BaseCommand

from storefeed.posts.search import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search indexes (after restoring a database from elsewhere)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in search_rebuild().items():
            self.stdout.write(f"Indexed {count} {name}.")
