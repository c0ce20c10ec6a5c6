"""The streaming API (Mastodon's, plus live shop windows): an ASGI process beside gunicorn."""
