from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "storefeed.api"
    label = "api"

    def ready(self) -> None:
        from storefeed.api.receivers import on_notifications_made
        from storefeed.notifications.signals import notifications_made

        notifications_made.connect(on_notifications_made, dispatch_uid="api.push")
