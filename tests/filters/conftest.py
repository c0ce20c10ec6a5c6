from tests.mastodon.conftest import api_for  # noqa: F401  (the Mastodon API client fixture)
