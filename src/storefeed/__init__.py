"""Storefeed: a microblog in which any post can be a shop window."""

__version__ = "0.1.0"
