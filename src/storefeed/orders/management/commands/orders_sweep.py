"""`storefeed orders_sweep`: expire unpaid orders, confirm old deliveries, pay sellers."""

from django.core.management.base import BaseCommand

from storefeed.orders.services import orders_sweep


class Command(BaseCommand):
    help = "Expire unpaid orders past their deadline, auto-confirm deliveries, complete orders."

    def handle(self, *args: object, **options: object) -> None:
        counts = orders_sweep()
        self.stdout.write(
            "expired {expired}, confirmed {confirmed}, completed {completed}".format(**counts)
        )
