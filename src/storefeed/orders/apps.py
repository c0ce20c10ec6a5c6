from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "storefeed.orders"
    label = "orders"

    def ready(self) -> None:
        # Discovery ranks sellers by completed orders and puts what sells on the hot list
        # through its hooks; discovery itself knows nothing of commerce.
        from storefeed.discovery import hooks
        from storefeed.orders import discovery

        hooks.register(
            orders_completed=discovery.orders_completed,
            purchases=discovery.purchases,
            product_links=discovery.product_links,
        )
