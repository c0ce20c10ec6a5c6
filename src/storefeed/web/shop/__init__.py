"""Commerce web pages (seller program, products, shop pages, cart, checkout, orders, wallet)."""
