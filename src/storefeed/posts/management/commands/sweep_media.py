"""`storefeed sweep_media`: delete uploaded images never attached to a post (older than a day)."""

from typing import Any

from django.core.management.base import BaseCommand

from storefeed.posts.services import media_sweep_unattached


class Command(BaseCommand):
    help = "Delete uploaded images that were never attached to a post (safe to run from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {media_sweep_unattached()} unattached image(s).")
