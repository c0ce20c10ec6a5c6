from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "storefeed.web"
    label = "web"
