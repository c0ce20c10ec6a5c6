from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "storefeed.timelines"
    label = "timelines"

    def ready(self) -> None:
        from storefeed.timelines import receivers  # noqa: F401  (connects the signal handlers)
