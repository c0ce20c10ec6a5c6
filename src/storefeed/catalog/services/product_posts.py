"""Product posts: a post carrying up to nine products and third-party items."""

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.errors import TooManyItems
from storefeed.catalog.models import (
    MAX_ITEMS_PER_POST,
    ExternalItem,
    PostProduct,
    Product,
    ProductStatus,
)
from storefeed.catalog.services.checks import _ids, require_active_seller
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.posts.models import Status, StatusIdempotency
from storefeed.posts.services import IDEMPOTENCY_WINDOW
from storefeed.posts.services import _status_create as status_create_within


def product_post_create(
    *,
    account: User,
    text: str,
    product_ids: Sequence[object] = (),
    external_item_ids: Sequence[object] = (),
    idempotency_key: str | None = None,
    **status_fields: Any,
) -> Status:
    """Publish a post carrying up to nine products and third-party items: the products first,
    then the items, each in the order given. Everything is checked before anything is
    written; a refused post leaves nothing behind."""
    require_active_seller(account)
    products_wanted = _ids(product_ids, field="product_ids", what=_("product"))
    items_wanted = _ids(external_item_ids, field="external_item_ids", what=_("item"))
    total = len(products_wanted) + len(items_wanted)
    if total == 0:
        raise ValidationFailed(_("Add at least one product or item."), field="product_ids")
    if total > MAX_ITEMS_PER_POST:
        raise TooManyItems(
            _(
                "A post can carry at most %(max)s products and items together; this one has %(count)s."
            )
            % {"max": MAX_ITEMS_PER_POST, "count": total},
            field="product_ids",
            max=MAX_ITEMS_PER_POST,
            count=total,
        )
    key = (idempotency_key or "").strip()[:200]
    if key:
        earlier = _idempotent_status(account, key)
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic(durable=True):
            products = {p.pk: p for p in Product.objects.filter(pk__in=products_wanted)}
            for pk in products_wanted:
                product = products.get(pk)
                if product is None:
                    raise NotFound(
                        _("Product %(id)s does not exist.") % {"id": pk}, field="product_ids"
                    )
                if product.seller_id != account.pk:
                    raise Forbidden(
                        _(
                            "“%(title)s” belongs to another seller; you can only post your own "
                            "products."
                        )
                        % {"title": product.title},
                        field="product_ids",
                    )
                if product.status != ProductStatus.ON_SALE:
                    raise ValidationFailed(
                        _("“%(title)s” is withdrawn; put it back on sale before posting it.")
                        % {"title": product.title},
                        field="product_ids",
                    )
            found_items = set(
                ExternalItem.objects.filter(pk__in=items_wanted).values_list("pk", flat=True)
            )
            for pk in items_wanted:
                if pk not in found_items:
                    raise NotFound(
                        _("Item %(id)s does not exist.") % {"id": pk}, field="external_item_ids"
                    )
            status = status_create_within(account=account, text=text, **status_fields)
            links = [PostProduct(status=status, product_id=pk) for pk in products_wanted]
            links += [PostProduct(status=status, external_item_id=pk) for pk in items_wanted]
            for position, link in enumerate(links):
                link.position = position
            PostProduct.objects.bulk_create(links)
            if key:
                StatusIdempotency.objects.create(account=account, key=key, status=status)
            return status
    except IntegrityError:
        earlier = _idempotent_status(account, key) if key else None
        if earlier is None:
            raise
        return earlier


def _idempotent_status(account: User, key: str) -> Status | None:
    row = (
        StatusIdempotency.objects.filter(
            account=account, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW
        )
        .select_related("status")
        .first()
    )
    return row.status if row is not None else None
