"""Products, variants, stock, third-party items and their importers, product posts (commerce)."""
