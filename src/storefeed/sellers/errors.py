"""Refusals of the seller program with stable codes (delivery layers map them once)."""

from storefeed.core.errors import Forbidden


class NotEligible(Forbidden):
    """Under the follower threshold or not in good standing (403, code "not_eligible")."""

    code = "not_eligible"


class NotASeller(Forbidden):
    """Selling needs an approved, active seller (403, code "not_a_seller")."""

    code = "not_a_seller"
