"""Background tasks of promotions: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.promotions import services


@task()
def place(promotion_id: int) -> None:
    services.promotion_place(promotion_id=promotion_id)


@task()
def tick() -> None:
    """Place what is not placed, charge what was shown (periodic; idempotent)."""
    services.promotions_tick()
