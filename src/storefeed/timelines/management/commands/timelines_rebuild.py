"""`storefeed timelines_rebuild`: refill home timelines in the configured store (after
switching STOREFEED_TIMELINE_STORE, or losing Redis), from follows and recent posts."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from storefeed.accounts.models import User
from storefeed.timelines.redis_store import RedisTimelineStore
from storefeed.timelines.services import home_rebuild
from storefeed.timelines.store import home_store


class Command(BaseCommand):
    help = (
        "Refill home timelines in the configured store from follows and recent posts "
        "(as a follow's backfill does). Safe to run again; new posts keep arriving meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "usernames", nargs="*", help="Only these accounts (default: every active one)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        store = home_store()
        # Homes kept by an earlier release (sorted sets) are neither read nor written now.
        if isinstance(store, RedisTimelineStore) and (dropped := store.drop_old_layout()):
            self.stdout.write(f"dropped {dropped} keys of the earlier Redis layout")
        users = User.objects.filter(is_active=True)
        if options["usernames"]:
            users = users.filter(username__in=options["usernames"])
        homes = entries = 0
        for owner_id in users.order_by("pk").values_list("pk", flat=True).iterator():
            entries += home_rebuild(owner_id=owner_id)
            homes += 1
        self.stdout.write(f"rebuilt {homes} homes ({entries} entries)")
