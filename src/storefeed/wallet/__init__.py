"""Storefeed Pay: the double-entry ledger, wallets, PIN, top-ups and withdrawals (commerce)."""
