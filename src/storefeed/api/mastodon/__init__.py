"""The Mastodon client API: a flat URL map (urls.py) over thin views that call the domains."""
