"""Promoted posts (commerce): registers the home's top slot into the timelines' hook."""

from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "storefeed.promotions"
    label = "promotions"

    def ready(self) -> None:
        # The home read asks timelines' hook for a promoted post to put on top; timelines
        # knows nothing of promotions and runs unchanged without them (commerce off).
        from storefeed.promotions.placing import take_top_slot
        from storefeed.timelines import promoted

        promoted.register(take_top_slot)
