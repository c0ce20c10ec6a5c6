"""The home timeline store and fan-out."""
