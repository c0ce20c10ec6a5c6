from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "storefeed.accounts"
    label = "accounts"
