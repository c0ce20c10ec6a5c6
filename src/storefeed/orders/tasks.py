"""Background tasks of orders: thin, idempotent wrappers around the services' sweeps."""

from django.tasks import task

from storefeed.orders import services


@task()
def expire_order(order_id: int) -> None:
    """Deferred to an order's payment deadline; does nothing if it was paid or cancelled."""
    services.order_expire(order_id=order_id)


@task()
def expire_due_orders() -> None:
    """The periodic sweep behind the deferred tasks (run it every minute or so)."""
    services.orders_expire_due()


@task()
def auto_confirm_due_orders() -> None:
    services.orders_auto_confirm_due()


@task()
def complete_due_orders() -> None:
    services.orders_complete_due()
