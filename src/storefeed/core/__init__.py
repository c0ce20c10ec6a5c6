"""Shared building blocks: ids, errors, text cleaning, pagination."""
