from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "storefeed.wallet"
    label = "wallet"
