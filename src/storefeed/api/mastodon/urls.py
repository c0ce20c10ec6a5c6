"""The Mastodon client API's URL map: each views module lists its own routes, in the order of
the reference (https://docs.joinmastodon.org/methods/)."""

from storefeed.api.mastodon.views import ROUTE_MODULES

urlpatterns = [pattern for module in ROUTE_MODULES for pattern in module.urlpatterns]
