"""The public paths of orders (the web layer routes them; domains cannot reverse())."""


def order_url(order_id: int) -> str:
    return f"/orders/{order_id}"


def orders_url(*, role: str = "buyer") -> str:
    return "/orders" if role == "buyer" else "/shop/orders"
