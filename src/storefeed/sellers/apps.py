"""The seller program: applications, review, suspension (commerce)."""

from django.apps import AppConfig


class SellersConfig(AppConfig):
    name = "storefeed.sellers"
    label = "sellers"

    def ready(self) -> None:
        # A shop is found by its name wherever accounts are searched.
        from storefeed.accounts.search import register_texts
        from storefeed.sellers.selectors import shop_names

        register_texts(shop_names)
