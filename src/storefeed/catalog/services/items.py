"""Third-party items (Taobao, Tmall, Weimai, other shop pages): read from their pages outside
any transaction, or entered by hand, one row per item."""

import datetime as dt
import hashlib
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog import importers, search
from storefeed.catalog.errors import ItemUnreadable
from storefeed.catalog.importers import ItemData
from storefeed.catalog.models import (
    Availability,
    ExternalItem,
    ItemSource,
    PostProduct,
)
from storefeed.catalog.services.checks import DESCRIPTION_MAX, _title, require_active_seller
from storefeed.core.errors import Conflict, NotFound, ValidationFailed
from storefeed.core.money import DEFAULT_CURRENCY, MAX_AMOUNT_MINOR, parse_amount
from storefeed.core.parse import lookup_id
from storefeed.core.text import clean_plain
from storefeed.posts.media import process_image

ITEM_TITLE_MAX = 200
# A third-party item read this recently is not fetched again when pasted again.
ITEM_FRESH_FOR = dt.timedelta(hours=1)


def _fetch(text: str) -> ItemData:
    """The importer's ItemData for `text`, or ItemUnreadable with its human message, the
    importer's reason code and what is known anyway (to prefill the form for filling in by
    hand). Network: never call this inside a transaction."""
    try:
        return importers.resolve(text)
    except importers.ImportFailed as exc:
        raise ItemUnreadable(
            exc.message or _("We could not read that page."),
            field="url",
            manual=True,
            reason=exc.reason,
            partial=asdict(exc.partial) if exc.partial is not None else None,
        ) from None


def _recognise(text: str) -> tuple[str, str, str] | None:
    """(source, item id, url) when `text` is a link or share text we know; no network."""
    return importers.recognise(text)


def _http_url(value: object) -> str:
    url = str(value or "").strip()
    if not url or len(url) > 2000:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url


def _clean_item_fields(data: Any) -> dict[str, Any]:
    """ItemData from a page we do not control -> safe field values (plain text, sane price)."""
    price = getattr(data, "price_fen", None)
    if isinstance(price, bool) or not isinstance(price, int) or not 0 < price <= MAX_AMOUNT_MINOR:
        price = None
    currency = str(getattr(data, "currency", "") or DEFAULT_CURRENCY).strip().upper()[:3]
    availability = str(getattr(data, "availability", "") or "")
    if availability not in Availability.values:
        availability = Availability.UNKNOWN
    title = clean_plain(str(getattr(data, "title", "") or ""))[:ITEM_TITLE_MAX]
    return {
        "title": title or _("Item %(id)s") % {"id": getattr(data, "item_id", "")},
        "description": clean_plain(str(getattr(data, "description", "") or ""), multiline=True)[
            :DESCRIPTION_MAX
        ],
        "image_url": _http_url(getattr(data, "image_url", "")),
        "price_fen": price,
        "currency": currency or DEFAULT_CURRENCY,
        "availability": availability,
    }


def _item_save(data: Any, account: User | None) -> ExternalItem:
    source = str(getattr(data, "source", "") or "")
    if source not in ItemSource.values:
        source = ItemSource.WEB
    item_id = str(getattr(data, "item_id", "") or "")[:200]
    url = _http_url(getattr(data, "url", ""))
    if not item_id or not url:
        raise ItemUnreadable(_("We could not read that page."), field="url", manual=True)
    fields = _clean_item_fields(data)
    now = timezone.now()
    fields.update(url=url, fetched_ok=True, last_checked_at=now, attempted_at=now)
    for _attempt in range(2):
        try:
            with transaction.atomic(durable=True):
                item = (
                    ExternalItem.objects.select_for_update()
                    .filter(source=source, item_id=item_id)
                    .first()
                )
                if item is None:
                    item = ExternalItem.objects.create(
                        source=source, item_id=item_id, created_by=account, **fields
                    )
                else:
                    for name, value in fields.items():
                        setattr(item, name, value)
                    item.save(update_fields=list(fields))
                search.item_index([item.pk])
                return item
        except IntegrityError:
            continue  # another request created it meanwhile: update that row
    raise Conflict(_("Please try again."))


def external_item_resolve(*, account: User, text: str) -> ExternalItem:
    """Recognise a pasted link or share text, read the item's page, keep one row per item.
    When the page cannot be read: ItemUnreadable (details `manual=True`), and the seller may
    use `external_item_manual`."""
    require_active_seller(account)
    text = clean_plain(text or "")
    if not text:
        raise ValidationFailed(_("Paste a link or share text."), field="url")
    recognised = _recognise(text)
    if recognised is not None:
        source, item_id, _url = recognised
        known = ExternalItem.objects.filter(
            source=source,
            item_id=item_id,
            fetched_ok=True,
            last_checked_at__gte=timezone.now() - ITEM_FRESH_FOR,
        ).first()
        if known is not None:
            return known
    data = _fetch(text)  # outside any transaction of ours: this is the network call
    return _item_save(data, account)


def external_item_manual(
    *,
    account: User,
    url: str,
    title: str,
    price: object = None,
    image: UploadedFile | None = None,
    image_url: str = "",
) -> ExternalItem:
    """An item filled in by hand when its page could not be read. If the item was already read
    from its page, that data wins and the existing item is returned."""
    require_active_seller(account)
    clean_url = _http_url(clean_plain(url or ""))
    if not clean_url:
        raise ValidationFailed(_("Enter the item's web address (http or https)."), field="url")
    title = _title(title, max_length=ITEM_TITLE_MAX)
    price_fen = parse_amount(price, field="price") if price not in (None, "") else None
    picture_url = ""
    if image_url:
        picture_url = _http_url(image_url)
        if not picture_url:
            raise ValidationFailed(
                _("Enter the image's web address (http or https)."), field="image_url"
            )
    processed = process_image(image, field="image") if image is not None else None
    recognised = _recognise(clean_url)
    if recognised is not None:
        source, item_id, canonical = recognised
        clean_url = _http_url(canonical) or clean_url
    else:
        source = ItemSource.WEB
        item_id = "url:" + hashlib.sha256(clean_url.encode()).hexdigest()[:40]
    fields: dict[str, Any] = {
        "url": clean_url,
        "title": title,
        "price_fen": price_fen,
        "currency": DEFAULT_CURRENCY,
        "image_url": picture_url,
        "availability": Availability.UNKNOWN,
    }
    with transaction.atomic(durable=True):
        item = (
            ExternalItem.objects.select_for_update().filter(source=source, item_id=item_id).first()
        )
        if item is not None and item.fetched_ok:
            return item
        if item is not None and not _only_theirs(item, account):
            # Another seller's entry, or one their posts show: never rewritten for everyone.
            # This seller gets (or updates) a copy of their own.
            item_id = f"{item_id[:180]}~{account.pk}"
            item = (
                ExternalItem.objects.select_for_update()
                .filter(source=source, item_id=item_id)
                .first()
            )
        if item is None:
            item = ExternalItem(source=source, item_id=item_id, created_by=account)
        for name, value in fields.items():
            setattr(item, name, value)
        if processed is not None:
            item.image.save(processed.original.name or "image.jpg", processed.original, save=False)
        item.save()
        search.item_index([item.pk])
    return item


def _only_theirs(item: ExternalItem, account: User) -> bool:
    """Whether a hand-entered item is `account`'s alone: entered by them and shown in no one
    else's posts (then they may correct it in place)."""
    if item.created_by_id != account.pk:
        return False
    return not (
        PostProduct.objects.filter(external_item=item).exclude(status__account=account).exists()
    )


def external_item_click(*, item_id: object) -> str:
    """Count a click on an item's Buy button and return where to send the buyer."""
    try:
        pk = lookup_id(item_id)
    except (TypeError, ValueError):
        pk = 0
    with transaction.atomic(durable=True):
        if not ExternalItem.objects.filter(pk=pk).update(clicks=F("clicks") + 1):
            raise NotFound(_("This item does not exist."))
        return ExternalItem.objects.values_list("url", flat=True).get(pk=pk)


def external_items_refresh(
    *, limit: int = 100, older_than: dt.timedelta = dt.timedelta(hours=6)
) -> int:
    """Re-read the items tried longest ago (the periodic sweep): each page is fetched outside
    any transaction, then saved in a short one. Returns how many were read successfully.
    Only items whose page could once be read are refreshed: one entered by hand because its
    page had no product data is left as the seller wrote it."""
    now = timezone.now()
    due = list(
        ExternalItem.objects.filter(
            Q(attempted_at__isnull=True) | Q(attempted_at__lt=now - older_than),
            last_checked_at__isnull=False,
        )
        .order_by(F("attempted_at").asc(nulls_first=True), "id")
        .values_list("pk", "url")[:limit]
    )
    refreshed = 0
    for pk, url in due:
        try:
            data = _fetch(url)
        except ItemUnreadable:
            ExternalItem.objects.filter(pk=pk).update(attempted_at=timezone.now(), fetched_ok=False)
            continue
        fields = _clean_item_fields(data)
        checked = timezone.now()
        with transaction.atomic(durable=True):
            ExternalItem.objects.filter(pk=pk).update(
                **fields, fetched_ok=True, last_checked_at=checked, attempted_at=checked
            )
            search.item_index([pk])
        refreshed += 1
    return refreshed
