from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "storefeed.notifications"
    label = "notifications"
