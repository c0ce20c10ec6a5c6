"""`storefeed publish_scheduled`: publish every scheduled post whose time has come."""

from typing import Any

from django.core.management.base import BaseCommand

from storefeed.posts.services import scheduled_statuses_publish_due


class Command(BaseCommand):
    help = "Publish every scheduled post whose time has come (safe to run from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = scheduled_statuses_publish_due()
        self.stdout.write(f"Published {count} scheduled post(s).")
