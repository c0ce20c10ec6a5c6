"""Promotions' refusals, with stable codes."""

from storefeed.core.errors import Forbidden, ValidationFailed


class NotASeller(Forbidden):
    code = "not_a_seller"


class NotPromotable(ValidationFailed):
    code = "not_promotable"
