from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "storefeed.social"
    label = "social"
