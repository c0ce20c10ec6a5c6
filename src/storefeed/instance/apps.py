"""The instance app: rules, about text, announcements, weekly activity."""

from django.apps import AppConfig


class InstanceConfig(AppConfig):
    name = "storefeed.instance"
    label = "instance"

    def ready(self) -> None:
        from storefeed.instance import signals  # noqa: F401  (sign-ins counted per week)
