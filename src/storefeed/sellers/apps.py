from django.apps import AppConfig


class SellersConfig(AppConfig):
    name = "storefeed.sellers"
    label = "sellers"
