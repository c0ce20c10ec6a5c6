"""Checkout, reservations, the order state machine, fulfilment and refunds (commerce)."""
