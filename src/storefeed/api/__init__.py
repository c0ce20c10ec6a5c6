"""JSON APIs: mastodon/ (the Mastodon client API) and shop/ (commerce)."""
