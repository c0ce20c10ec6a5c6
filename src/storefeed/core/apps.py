from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "storefeed.core"
    label = "core"
