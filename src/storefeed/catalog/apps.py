"""Products, variants, stock, third-party items and their importers, product posts (commerce)."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storefeed.catalog"
    label = "catalog"

    def ready(self) -> None:
        # Every page of hydrated statuses (web and API) gets its product cards through posts'
        # hydration hook; posts itself knows nothing of commerce.
        from storefeed.catalog.selectors import attach_product_cards, product_cards_for
        from storefeed.posts import hydration

        hydration.register(attach_product_cards)
        hydration.register_cards(product_cards_for)
        # `storefeed search_rebuild` rebuilds the products' and items' index with the posts'.
        from storefeed.catalog.search import catalog_index_rebuild
        from storefeed.posts import search

        search.register_rebuild("products and items", catalog_index_rebuild)
        # A seller suspended or reinstated lists or unlists their products' search rows.
        from storefeed.catalog.search import seller_state
        from storefeed.sellers.services import on_seller_state_change

        on_seller_state_change(seller_state)
