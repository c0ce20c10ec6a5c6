from django.apps import AppConfig


class FiltersConfig(AppConfig):
    name = "storefeed.filters"
    label = "filters"
