"""Seller insight: per-post and per-product funnels (impressions, taps, carts, orders) (commerce)."""
