from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "storefeed.api"
    label = "api"
