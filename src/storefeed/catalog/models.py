"""Products with images, variants and stock; third-party items; the products a post carries.

Variants: when a product has variants (`has_variants`), each variant holds its own price and
stock and the product's own `stock` is unused (kept at 0); the product's `price_fen` is then the
lowest variant price, shown as "from". The services keep both true under the product's lock.
`stock_added` counts every unit ever put on sale (net of corrections), so that orders can check
"left + reserved + sold = added".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storefeed.core.fulltext import DocumentField
from storefeed.core.ids import new_id

MAX_ITEMS_PER_POST = 9
MAX_PRODUCT_IMAGES = 9


class ProductStatus(models.TextChoices):
    ON_SALE = "on_sale", _("On sale")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Product(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    price_fen = models.BigIntegerField(_("price (fen)"))
    currency = models.CharField(max_length=3, default="CNY")
    stock = models.IntegerField(_("stock"), default=0)
    stock_added = models.IntegerField(default=0)
    has_variants = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ProductStatus.choices, default=ProductStatus.ON_SALE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="catalog_product_stock_gte_0"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="catalog_product_price_gt_0"),
            models.CheckConstraint(
                condition=Q(has_variants=False) | Q(stock=0),
                name="catalog_product_variants_hold_stock",
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "status", "-id"]),
            # Search (catalog/search.py) looks up every matching product by id for what it
            # filters and sorts on; covering them saves a table read per match. Not stock,
            # which every sale changes.
            models.Index(
                fields=["id", "status", "seller", "price_fen"], name="catalog_product_search"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def on_sale(self) -> bool:
        return self.status == ProductStatus.ON_SALE


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.ImageField(upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(upload_to="products/%Y/%m/small/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "position"], name="catalog_productimage_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PRODUCT_IMAGES), name="catalog_productimage_max_nine"
            ),
        ]


class Variant(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_("name"), max_length=60)  # "Red / M"
    price_fen = models.BigIntegerField(_("price (fen)"))
    stock = models.IntegerField(_("stock"), default=0)
    stock_added = models.IntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    # Removing a variant hides it; orders that reference it keep their history.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="catalog_variant_stock_gte_0"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="catalog_variant_price_gt_0"),
            models.UniqueConstraint(
                fields=["product", "name"],
                condition=Q(is_active=True),
                name="catalog_variant_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ItemSource(models.TextChoices):
    TAOBAO = "taobao", "Taobao"
    TMALL = "tmall", "Tmall"
    WEIMAI = "weimai", "Weimai"
    WEB = "web", _("Web shop")


class Availability(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    UNKNOWN = "unknown", _("Unknown")


class ExternalItem(models.Model):
    """An item sold on another site, one row per (source, item id), shared by every seller who
    posts it. Bought on its own site, through a redirect that counts clicks."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    source = models.CharField(max_length=10, choices=ItemSource.choices)
    item_id = models.CharField(max_length=200)
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    # An image a seller uploaded by hand when the page could not be read.
    image = models.ImageField(upload_to="items/%Y/%m/", blank=True)
    price_fen = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    availability = models.CharField(
        max_length=12, choices=Availability.choices, default=Availability.UNKNOWN
    )
    # When the page was last read successfully (the card shows it), and last tried.
    last_checked_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    fetched_ok = models.BooleanField(default=False)
    clicks = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "item_id"], name="catalog_item_unique"),
            models.CheckConstraint(
                condition=Q(price_fen__isnull=True) | Q(price_fen__gt=0),
                name="catalog_item_price_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.title}"


class PostProduct(models.Model):
    """One card of a product post: a product or a third-party item, at a position 0..8."""

    status = models.ForeignKey(
        "posts.Status", on_delete=models.CASCADE, related_name="product_links"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="post_links"
    )
    external_item = models.ForeignKey(
        ExternalItem, null=True, blank=True, on_delete=models.CASCADE, related_name="post_links"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["status", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["status", "position"], name="catalog_postproduct_position_unique"
            ),
            # Positions 0..8 and unique per post: at most nine cards, held by the database.
            models.CheckConstraint(
                condition=Q(position__lt=MAX_ITEMS_PER_POST), name="catalog_postproduct_max_nine"
            ),
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(external_item__isnull=True))
                | (Q(product__isnull=True) & Q(external_item__isnull=False)),
                name="catalog_postproduct_exactly_one",
            ),
            models.UniqueConstraint(
                fields=["status", "product"],
                condition=Q(product__isnull=False),
                name="catalog_postproduct_product_once",
            ),
            models.UniqueConstraint(
                fields=["status", "external_item"],
                condition=Q(external_item__isnull=False),
                name="catalog_postproduct_item_once",
            ),
        ]
        indexes = [models.Index(fields=["product"]), models.Index(fields=["external_item"])]


class ProductSearch(models.Model):
    """A product's row in the full-text index (see catalog/search.py): the title's tokens,
    and the title's and description's together (`body`), so that a match in the title can be
    ranked first and any match found in one column. Beside the words, what searches filter
    and sort on, so that they read this row alone: whether it is listed (on sale by an active
    seller), in stock, its price, seller and the seller's field, kept current in the
    transaction of every write that changes them (`catalog.search.product_state`); and the
    units sold, kept by the worker (`catalog.search.sold_refresh`), so a sale does not write
    here unless it empties the stock."""

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    title = DocumentField()
    body = DocumentField()
    listed = models.BooleanField(default=False)
    in_stock = models.BooleanField(default=False)
    price_fen = models.BigIntegerField(default=0)
    seller_id = models.BigIntegerField(default=0)
    field_id = models.BigIntegerField(default=0)
    sold = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # The orders that cannot stop early in the words' index: read in price or sales
            # order, each row checked against the words (catalog/search.py).
            models.Index(fields=["listed", "price_fen", "product"], name="catalog_ps_price"),
            models.Index(fields=["listed", "sold", "product"], name="catalog_ps_sold"),
        ]


class ItemSearch(models.Model):
    """A third-party item's row in the full-text index, as ProductSearch."""

    item = models.OneToOneField(
        ExternalItem, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    title = DocumentField()
    body = DocumentField()
