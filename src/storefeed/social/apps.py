from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "storefeed.social"
    label = "social"

    def ready(self) -> None:
        from storefeed.social import receivers  # noqa: F401  (connects the receivers)
