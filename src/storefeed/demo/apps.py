from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "storefeed.demo"
    label = "demo"
