from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storefeed.catalog"
    label = "catalog"
