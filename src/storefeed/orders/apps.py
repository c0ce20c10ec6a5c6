from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "storefeed.orders"
    label = "orders"
