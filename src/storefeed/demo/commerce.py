"""The demo's shops, built through the commerce services when commerce is switched on:
sellers approved by staff (and one application left pending), products drawn with Pillow,
product posts in the fans' timelines, a third-party item entered by hand, Storefeed Pay
wallets topped up through the simulated bank, and orders at several points of their life.

Imported by builder.py only when `storefeed.catalog` is installed: with STOREFEED_COMMERCE=off
none of this (nor any commerce model) is imported. Like the rest of the demo, every step looks
for what it would create first, so a second run writes nothing.
"""

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.catalog import importers
from storefeed.catalog import services as catalog
from storefeed.catalog.models import ExternalItem, Product, Variant
from storefeed.core.errors import DomainError
from storefeed.core.text import clean_plain
from storefeed.demo import data, images, shop_data
from storefeed.orders import services as orders
from storefeed.orders.models import Address, CartItem, Order, OrderEvent, OrderState
from storefeed.posts import services as posts
from storefeed.posts.models import Favourite, Status
from storefeed.sellers import services as sellers
from storefeed.sellers.models import ApplicationState, Seller, SellerApplication
from storefeed.wallet import services as wallet
from storefeed.wallet.models import PaymentPin, TopUp, TopUpState

if TYPE_CHECKING:
    from storefeed.demo.builder import DemoBuilder, Step

S = OrderState
# How far along its life each goal takes an order.
GOALS = {"paid": 1, "shipped": 2, "completed": 3}
PICTURE_SIZE = (800, 800)
# The demo pays through the built-in simulated bank, whatever provider is configured: it never
# moves real money or talks to a real provider.
DEMO_PROVIDER = "simulated"


def _upload(
    name: str, picture: tuple[str, str, shop_data.RGB | None], seed: int
) -> SimpleUploadedFile:
    scene, caption, colour = picture
    drawn = images.draw_picture(scene, caption, seed=seed, size=PICTURE_SIZE, colour=colour)
    return SimpleUploadedFile(f"{name}.jpg", images.to_jpeg(drawn), content_type="image/jpeg")


class CommerceDemo:
    """The commerce steps of a DemoBuilder; refusals land in the builder's warnings and
    what is written in its `created` counts."""

    def __init__(self, builder: "DemoBuilder") -> None:
        self.builder = builder
        self.products: dict[str, Product] = {}
        self.items: dict[str, ExternalItem] = {}
        self.posts: dict[str, Status] = {}

    def steps(self) -> list["Step"]:
        from storefeed.demo.builder import Step

        return [
            Step("sellers", len(shop_data.APPLICATIONS), self._sellers),
            Step("products", len(shop_data.PRODUCTS), self._products),
            Step("third-party items", len(shop_data.ITEMS), self._items),
            Step("product posts", len(shop_data.PRODUCT_POSTS), self._product_posts),
            Step("Storefeed Pay", len(shop_data.BUYERS), self._wallets),
            Step("orders", len(shop_data.ORDERS), self._orders),
            Step("cart", len(shop_data.CARTS), self._carts),
            Step("promotion", 1, self._promotion),
            Step("seller insight", 1, self._insight),
        ]

    # -- helpers ----------------------------------------------------------------------------

    def user(self, username: str) -> User:
        return self.builder.user(username)

    def count(self, kind: str) -> None:
        self.builder.created[kind] += 1

    def warn(self, what: str) -> None:
        self.builder.warnings.append(what)

    # -- the seller program -------------------------------------------------------------------

    def _sellers(self) -> Iterator[None]:
        staff = self.user(data.STAFF.username)
        for plan in shop_data.APPLICATIONS:
            # Read afresh: eligibility counts followers, and the builder's copy was read
            # before the fans followed.
            account = User.objects.get(pk=self.user(plan.username).pk)
            if Seller.objects.filter(account=account).exists():
                yield
                continue
            pending = SellerApplication.objects.filter(
                account=account, state=ApplicationState.PENDING
            ).first()
            if pending is None:
                try:
                    pending = sellers.seller_application_submit(
                        account=account,
                        shop_name=plan.shop_name,
                        field=plan.field,
                        sells=plan.sells,
                        contact_phone=plan.contact_phone,
                        real_name=plan.real_name,
                        id_number=plan.id_number,
                        agreed=True,
                    )
                    self.count("seller applications")
                except DomainError as exc:
                    self.warn(f"@{plan.username} applies to sell: {exc.message}")
            if pending is not None and plan.approve:
                with self.builder._service(f"admin approves @{plan.username}'s shop"):
                    sellers.seller_application_approve(
                        application_id=pending.pk,
                        by=staff,
                        reason="Verified expert; ID and phone checked. 身份与电话已核实。",
                    )
                    self.count("sellers")
            yield

    # -- the catalog ----------------------------------------------------------------------

    def _products(self) -> Iterator[None]:
        for spec in shop_data.PRODUCTS:
            seller = self.user(spec.seller)
            product = Product.objects.filter(seller=seller, title=clean_plain(spec.title)).first()
            if product is None:
                uploads = [
                    _upload(f"{spec.key}-{position + 1}", picture, position)
                    for position, picture in enumerate(spec.pictures)
                ]
                try:
                    product = catalog.product_create(
                        account=seller,
                        title=spec.title,
                        description=spec.description,
                        price=spec.price or None,
                        stock=spec.stock,
                        images=uploads,
                        variants=[
                            {"name": name, "price": price, "stock": stock}
                            for name, price, stock in spec.variants
                        ],
                    )
                    self.count("products")
                    self.builder.created["product images"] += len(uploads)
                except DomainError as exc:
                    self.warn(f"product {spec.key}: {exc.message}")
            if product is not None:
                self.products[spec.key] = product
            yield

    def _items(self) -> Iterator[None]:
        """Third-party items, entered through the manual path: the demo never fetches a page."""
        for spec in shop_data.ITEMS:
            recognised = importers.recognise(spec.url)  # parses the link; no network
            item = None
            if recognised is not None:
                source, item_id, _url = recognised
                item = ExternalItem.objects.filter(source=source, item_id=item_id).first()
            if item is None:
                try:
                    item = catalog.external_item_manual(
                        account=self.user(spec.seller),
                        url=spec.url,
                        title=spec.title,
                        price=spec.price,
                        image=_upload(spec.key, spec.picture, 0),
                    )
                    self.count("third-party items")
                except DomainError as exc:
                    self.warn(f"item {spec.key}: {exc.message}")
            if item is not None:
                self.items[spec.key] = item
            yield

    def _product_posts(self) -> Iterator[None]:
        for post in shop_data.PRODUCT_POSTS:
            author = self.user(post.author)
            status = Status.objects.filter(
                account=author,
                reblog_of__isnull=True,
                text=clean_plain(post.text, multiline=True),
            ).first()
            if status is None:
                missing = [k for k in post.products if k not in self.products]
                missing += [k for k in post.items if k not in self.items]
                if missing:
                    self.warn(f"product post {post.key}: missing {', '.join(missing)}")
                    yield
                    continue
                try:
                    status = catalog.product_post_create(
                        account=author,
                        text=post.text,
                        product_ids=[self.products[k].pk for k in post.products],
                        external_item_ids=[self.items[k].pk for k in post.items],
                        language=post.language,
                    )
                    self.count("product posts")
                except DomainError as exc:
                    self.warn(f"product post {post.key}: {exc.message}")
            if status is not None:
                self.posts[post.key] = status
                self._reactions(post, status)
            yield

    def _reactions(self, post: shop_data.ProductPost, status: Status) -> None:
        liked = set(
            Favourite.objects.filter(status=status).values_list("account__username", flat=True)
        )
        for name in post.likes:
            if name not in liked:
                with self.builder._service(f"@{name} likes {post.key}"):
                    posts.status_favourite(account=self.user(name), status_id=status.pk)
                    self.count("likes")
        for name in post.reposted_by:
            account = self.user(name)
            if not Status.objects.filter(account=account, reblog_of=status).exists():
                with self.builder._service(f"@{name} reposts {post.key}"):
                    posts.status_reblog(account=account, status_id=status.pk)
                    self.count("reposts")

    # -- Storefeed Pay ----------------------------------------------------------------------

    def _wallets(self) -> Iterator[None]:
        passwords = {p.username: p.password for p in data.PEOPLE}
        for buyer in shop_data.BUYERS:
            account = self.user(buyer.username)
            if not PaymentPin.objects.filter(account=account).exists():
                with self.builder._service(f"@{buyer.username} sets a payment PIN"):
                    wallet.pin_set(
                        account=account, pin=buyer.pin, password=passwords[buyer.username]
                    )
                    self.count("payment PINs")
            if not TopUp.objects.filter(account=account, state=TopUpState.CONFIRMED).exists():
                with self.builder._service(f"@{buyer.username} tops up"):
                    wallet.topup_create(account=account, amount=buyer.topup, provider=DEMO_PROVIDER)
                    self.count("top-ups")
            if not Address.objects.filter(owner=account).exists():
                with self.builder._service(f"@{buyer.username} adds an address"):
                    orders.address_create(
                        account=account,
                        recipient=buyer.recipient,
                        phone=buyer.phone,
                        region=buyer.region,
                        city=buyer.city,
                        street=buyer.street,
                        postcode=buyer.postcode,
                        is_default=True,
                    )
                    self.count("addresses")
            yield

    # -- orders and the cart ----------------------------------------------------------------

    def _orders(self) -> Iterator[None]:
        pins = {b.username: b.pin for b in shop_data.BUYERS}
        for number, plan in enumerate(shop_data.ORDERS):
            what = f"order {number + 1} of @{plan.buyer}"
            order = self._order(plan, what)
            if order is not None:
                self._advance(order, plan, pin=pins[plan.buyer], what=what)
            yield

    def _variant_id(self, product: Product, name: str | None) -> int | None:
        if name is None:
            return None
        variant = Variant.objects.filter(product=product, name=name, is_active=True).first()
        return variant.pk if variant is not None else None

    def _order(self, plan: shop_data.OrderPlan, what: str) -> Order | None:
        """The plan's order: the one placed by an earlier run (unless it expired or was
        cancelled), or a new one."""
        missing = [key for key, _v, _q in plan.lines if key not in self.products]
        if plan.post not in self.posts:
            missing.append(plan.post)
        if missing:
            self.warn(f"{what}: missing {', '.join(missing)}")
            return None
        buyer = self.user(plan.buyer)
        first = self.products[plan.lines[0][0]]
        existing = (
            Order.objects.filter(buyer=buyer, seller_id=first.seller_id, items__product_id=first.pk)
            .exclude(state__in=[S.EXPIRED, S.CANCELLED])
            .order_by("id")
            .first()
        )
        if existing is not None and not (
            existing.state == S.PENDING_PAYMENT and existing.expires_at <= timezone.now()
        ):
            return existing
        if existing is not None:
            # Placed by an interrupted run and never paid in time: let it expire (its units
            # go back on sale) and place it again.
            orders.order_expire(order_id=existing.pk)
        address = Address.objects.filter(owner=buyer, is_default=True).first()
        if address is None:
            self.warn(f"{what}: @{plan.buyer} has no address")
            return None
        source = self.posts[plan.post].pk
        lines = [
            {
                "product_id": self.products[key].pk,
                "variant_id": self._variant_id(self.products[key], variant),
                "quantity": quantity,
                "source_status_id": source,
            }
            for key, variant, quantity in plan.lines
        ]
        try:
            placed = orders.order_place(buyer=buyer, items=lines, address_id=address.pk)
        except DomainError as exc:
            self.warn(f"{what}: {exc.message}")
            return None
        self.count("orders")
        return placed[0]

    def _advance(self, order: Order, plan: shop_data.OrderPlan, *, pin: str, what: str) -> None:
        """Move the order along its life until it reaches the plan's goal, one service call
        per move (an order left halfway by an interrupted run carries on from where it is)."""
        goal = GOALS[plan.goal]
        buyer, seller = self.user(plan.buyer), order.seller
        while True:
            try:
                if order.state == S.PENDING_PAYMENT and goal >= GOALS["paid"]:
                    order = orders.order_pay(
                        buyer=buyer,
                        order_id=order.pk,
                        pin=pin,
                        idempotency_key=f"demo-pay-{order.pk}",
                    )
                elif order.state == S.PAID and goal >= GOALS["shipped"]:
                    order = orders.order_ship(
                        seller=seller,
                        order_id=order.pk,
                        carrier=plan.carrier,
                        tracking_number=plan.tracking_number,
                    )
                elif order.state == S.SHIPPED and goal >= GOALS["completed"]:
                    order = orders.order_confirm(buyer=buyer, order_id=order.pk)
                elif order.state == S.DELIVERED and goal >= GOALS["completed"]:
                    _as_if_delivered_long_ago(order)
                    orders.orders_complete_due()
                    order.refresh_from_db()
                    if order.state != S.COMPLETED:
                        self.warn(f"{what}: still {order.state} after the completion sweep")
                        return
                else:
                    return
            except DomainError as exc:
                self.warn(f"{what}: {exc.message}")
                return
            self.count("order steps")

    def _carts(self) -> Iterator[None]:
        for plan in shop_data.CARTS:
            buyer = self.user(plan.buyer)
            product = self.products.get(plan.product)
            if product is None or plan.post not in self.posts:
                self.warn(f"@{plan.buyer}'s cart: missing {plan.product}")
                yield
                continue
            if not CartItem.objects.filter(cart__owner=buyer, product=product).exists():
                with self.builder._service(f"@{plan.buyer} puts {plan.product} in the cart"):
                    orders.cart_add(
                        account=buyer,
                        product_id=product.pk,
                        variant_id=self._variant_id(product, plan.variant),
                        quantity=plan.quantity,
                        source_status_id=self.posts[plan.post].pk,
                    )
                    self.count("cart items")
            yield

    # -- a promoted post ---------------------------------------------------------------------

    def _promotion(self) -> Iterator[None]:
        """lily promotes her lipstick post to her followers with her wallet (set up like a
        buyer's: PIN, a top-up); it has run: shown on top of her followers' homes (through the
        home's own lookup), one card opened, charged by the worker. The demo fan's placement
        is left waiting, so the fan's first home shows it on top, labelled."""
        from storefeed.demo import insight
        from storefeed.promotions import placing
        from storefeed.promotions import services as promotions
        from storefeed.promotions.models import Placement, Promotion

        lily = self.user(insight.PROMOTED[0])
        post = self.posts.get(insight.PROMOTED[1])
        if post is None or Promotion.objects.filter(seller=lily).exists():
            yield
            return
        password = next(p.password for p in data.PEOPLE if p.username == lily.username)
        if not PaymentPin.objects.filter(account=lily).exists():
            with self.builder._service("@lily sets a payment PIN"):
                wallet.pin_set(account=lily, pin=shop_data.BUYER_PIN, password=password)
        with self.builder._service("@lily tops up for a promotion"):
            wallet.topup_create(account=lily, amount="100.00", provider=DEMO_PROVIDER)
        with self.builder._service("@lily promotes her lipstick post"):
            promotions.promotion_create(
                seller=lily,
                status_id=post.pk,
                budget=insight.PROMOTED[2],
                audience="followers",
                pin=shop_data.BUYER_PIN,
                idempotency_key="demo-lily-promotion",
            )
            promotion = Promotion.objects.get(seller=lily)
            promotions.promotion_place(promotion_id=promotion.pk)
            fan = self.user(shop_data.BUYERS[0].username)  # the demo fan
            waiting = Placement.objects.filter(promotion=promotion).exclude(owner_id=fan.pk)
            owners = list(waiting.order_by("owner_id").values_list("owner_id", flat=True))
            for owner in owners:
                placing.take_top_slot(owner)  # each follower's home read, once
            if owners:
                promotions.placements_tapped(viewer_id=owners[0], status_id=post.pk)
            promotions.promotion_settle(promotion_id=promotion.pk)
            self.count("promotions")
        yield

    # -- seller insight -----------------------------------------------------------------------

    def _insight(self) -> Iterator[None]:
        """lily's month of history (demo/insight.py), then today's real counts rolled up."""
        from storefeed.demo import insight
        from storefeed.insights.rollup import insights_rollup

        written = insight.month_of(self.posts)
        self.builder.created["insight days"] += written
        insights_rollup()
        yield


def _as_if_delivered_long_ago(order: Order) -> None:
    """The one write of the commerce demo not made through a service, on purpose: an order
    completes (escrow released to the seller) only once its 7-day refund window has closed
    after delivery, and the demo cannot wait a week. So the dates of a delivered order are
    moved back as if it had been placed 11 days ago and delivered 8 days ago; the completion
    sweep (`orders_complete_due`, the real service) then completes it. Only dates move: no
    money, stock or state is touched here."""
    now = timezone.now()
    placed = now - dt.timedelta(days=11)
    paid = placed + dt.timedelta(minutes=4)
    shipped = now - dt.timedelta(days=10)
    delivered = now - orders.REFUND_WINDOW - dt.timedelta(days=1)
    when = {
        S.PENDING_PAYMENT: placed,
        S.PAID: paid,
        S.SHIPPED: shipped,
        S.DELIVERED: delivered,
    }
    with transaction.atomic(durable=True):
        Order.objects.filter(pk=order.pk, state=S.DELIVERED).update(
            created_at=placed,
            expires_at=placed + dt.timedelta(minutes=orders.payment_minutes()),
            paid_at=paid,
            shipped_at=shipped,
            delivered_at=delivered,
        )
        for to_state, moment in when.items():
            OrderEvent.objects.filter(order_id=order.pk, to_state=to_state).update(
                created_at=moment
            )
