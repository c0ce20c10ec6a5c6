from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "storefeed.conversations"
    label = "conversations"

    def ready(self) -> None:
        from storefeed.conversations import receivers  # noqa: F401  (connects the receivers)
