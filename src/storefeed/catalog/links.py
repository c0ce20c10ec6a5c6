"""The public paths of catalog objects (the web layer routes them; domains cannot reverse())."""


def product_url(product_id: int) -> str:
    return f"/products/{product_id}"


def product_buy_url(product_id: int) -> str:
    return f"/products/{product_id}/buy"


def item_url(item_id: int) -> str:
    return f"/items/{item_id}"


def item_go_url(item_id: int) -> str:
    """The click-counting redirect to the item's own site."""
    return f"/items/{item_id}/go"


def shop_url(username: str) -> str:
    return f"/@{username}/shop"
