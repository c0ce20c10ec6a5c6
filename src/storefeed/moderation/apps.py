from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "storefeed.moderation"
    label = "moderation"
