"""Writes to a reader's filters, muted threads and blocked domains.

Every change to a filter (its title, contexts, action, expiry, keywords or posts) moves the
filter's `version`, which the compiled filters of its owner are cached by, and announces
`filters_changed` to the owner's live streams once it commits."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.ids import new_version
from storefeed.core.parse import check_text
from storefeed.filters.models import (
    DomainBlock,
    Filter,
    FilterAction,
    FilterContext,
    FilterKeyword,
    FilterStatus,
    ThreadMute,
)
from storefeed.notifications.threads import thread_root
from storefeed.posts.selectors import status_for_viewer

MAX_FILTERS = 100
MAX_KEYWORDS = 100  # per filter
MAX_STATUSES = 100  # per filter
TITLE_MAX = 200
KEYWORD_MAX = 200
# The longest expiry: ten years, as for timed mutes.
EXPIRES_MAX_SECONDS = 10 * 366 * 24 * 3600
MAX_DOMAIN_BLOCKS = 1000

UNSET = object()


@dataclass(frozen=True)
class KeywordChange:
    """One entry of `keywords_attributes[]`: a new keyword (no `id`), a change to one (with
    `id`), or its removal (`destroy`)."""

    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = False


def _title(title: str) -> str:
    title = check_text(title, field="title").strip()
    if not title:
        raise ValidationFailed(_("Title can't be blank"), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(
            _("Title is too long (maximum is %(n)d characters)") % {"n": TITLE_MAX}, field="title"
        )
    return title


def _context(context: Sequence[str]) -> list[str]:
    values = [str(c).strip() for c in context]
    if not values or any(v not in FilterContext.values for v in values):
        raise ValidationFailed(_("Context None or invalid context supplied"), field="context")
    return [c for c in FilterContext.values if c in values]  # the declared order, once each


def _action(action: str) -> str:
    if action not in FilterAction.values:
        raise ValidationFailed(
            _("Filter action is not one of warn, hide, blur"), field="filter_action"
        )
    return action


def _expires_at(expires_in: int | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    if expires_in <= 0 or expires_in > EXPIRES_MAX_SECONDS:
        raise ValidationFailed(
            _("Expires in must be between 1 second and ten years"), field="expires_in"
        )
    return timezone.now() + dt.timedelta(seconds=expires_in)


def _keyword(keyword: str | None) -> str:
    keyword = check_text(keyword or "", field="keyword").strip()
    if not keyword:
        raise ValidationFailed(_("Keyword can't be blank"), field="keyword")
    if len(keyword) > KEYWORD_MAX:
        raise ValidationFailed(
            _("Keyword is too long (maximum is %(n)d characters)") % {"n": KEYWORD_MAX},
            field="keyword",
        )
    return keyword


def _changed(filter_: Filter) -> None:
    """Move the filter's version and tell its owner's streams, after the commit."""
    Filter.objects.filter(pk=filter_.pk).update(version=new_version())
    events.publish("filters_changed", account=filter_.account_id)


def _own_filter(account: User, filter_id: int) -> Filter:
    found = Filter.objects.select_for_update().filter(pk=filter_id, account=account).first()
    if found is None:
        raise NotFound(_("This filter does not exist."))
    return found


def _check_keyword_count(filter_: Filter, adding: int) -> None:
    if filter_.keywords.count() + adding > MAX_KEYWORDS:
        raise ValidationFailed(
            _("A filter has at most %(n)d keywords") % {"n": MAX_KEYWORDS}, field="keyword"
        )


def filter_create(
    *,
    account: User,
    title: str,
    context: Sequence[str],
    action: str = FilterAction.WARN,
    expires_in: int | None = None,
    keywords: Sequence[KeywordChange] = (),
) -> Filter:
    """A new filter with its keywords (`keywords_attributes[]`; entries with `destroy` or an
    `id` are meaningless on a new filter and left out, as Mastodon does)."""
    title, contexts, action = _title(title), _context(context), _action(action)
    expires_at = _expires_at(expires_in)
    new = [k for k in keywords if not k.destroy and k.id is None]
    words = [(_keyword(k.keyword), True if k.whole_word is None else k.whole_word) for k in new]
    if len(words) > MAX_KEYWORDS:
        raise ValidationFailed(
            _("A filter has at most %(n)d keywords") % {"n": MAX_KEYWORDS}, field="keyword"
        )
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=account.pk).first()  # count, then insert
        if Filter.objects.filter(account=account).count() >= MAX_FILTERS:
            raise ValidationFailed(
                _("You have reached the limit of %(n)d filters") % {"n": MAX_FILTERS}
            )
        filter_ = Filter.objects.create(
            account=account,
            title=title,
            context=contexts,
            action=action,
            expires_at=expires_at,
            version=new_version(),
        )
        FilterKeyword.objects.bulk_create(
            [FilterKeyword(filter=filter_, keyword=w, whole_word=ww) for w, ww in words]
        )
        events.publish("filters_changed", account=account.pk)
    return filter_


def filter_update(
    *,
    account: User,
    filter_id: int,
    title: str | None = None,
    context: Sequence[str] | None = None,
    action: str | None = None,
    expires_in: int | object | None = UNSET,
    keywords: Sequence[KeywordChange] = (),
) -> Filter:
    """Change what is given; `expires_in=None` makes the filter permanent. Keyword entries
    with an `id` must be this filter's (404 otherwise); all is checked before anything is
    written."""
    fields: dict[str, object] = {}
    if title is not None:
        fields["title"] = _title(title)
    if context is not None:
        fields["context"] = _context(context)
    if action is not None:
        fields["action"] = _action(action)
    if expires_in is not UNSET:
        fields["expires_at"] = _expires_at(expires_in)  # type: ignore[arg-type]
    for k in keywords:
        if not k.destroy and (k.id is None or k.keyword is not None):
            _keyword(k.keyword)
    with transaction.atomic(durable=True):
        filter_ = _own_filter(account, filter_id)
        mine = {kw.pk: kw for kw in filter_.keywords.all()}
        if any(k.id is not None and k.id not in mine for k in keywords):
            raise NotFound(_("This keyword does not exist."))
        removed = {k.id for k in keywords if k.destroy and k.id is not None}
        added = [k for k in keywords if not k.destroy and k.id is None]
        _check_keyword_count(filter_, len(added) - len(removed))
        for name, value in fields.items():
            setattr(filter_, name, value)
        if fields:
            filter_.save(update_fields=list(fields))
        FilterKeyword.objects.filter(pk__in=removed).delete()
        for k in keywords:
            if k.destroy or k.id is None:
                continue
            kw = mine[k.id]
            if k.keyword is not None:
                kw.keyword = _keyword(k.keyword)
            if k.whole_word is not None:
                kw.whole_word = k.whole_word
            kw.save(update_fields=["keyword", "whole_word"])
        FilterKeyword.objects.bulk_create(
            [
                FilterKeyword(
                    filter=filter_,
                    keyword=_keyword(k.keyword),
                    whole_word=True if k.whole_word is None else k.whole_word,
                )
                for k in added
            ]
        )
        _changed(filter_)
    filter_.refresh_from_db()
    return filter_


def filter_delete(*, account: User, filter_id: int) -> None:
    with transaction.atomic(durable=True):
        filter_ = _own_filter(account, filter_id)
        filter_.delete()
        events.publish("filters_changed", account=account.pk)


def filter_keyword_add(
    *, account: User, filter_id: int, keyword: str | None, whole_word: bool = True
) -> FilterKeyword:
    word = _keyword(keyword)
    with transaction.atomic(durable=True):
        filter_ = _own_filter(account, filter_id)
        _check_keyword_count(filter_, 1)
        row = FilterKeyword.objects.create(filter=filter_, keyword=word, whole_word=whole_word)
        _changed(filter_)
    return row


def _own_part[M: (FilterKeyword, FilterStatus)](
    model: type[M], account: User, pk: int, missing: str
) -> M:
    """A keyword or filtered post of one of `account`'s filters (NotFound otherwise)."""
    found = model.objects.select_related("filter").filter(pk=pk, filter__account=account).first()
    if found is None:
        raise NotFound(missing)
    return found


def _own_keyword(account: User, keyword_id: int) -> FilterKeyword:
    return _own_part(FilterKeyword, account, keyword_id, _("This keyword does not exist."))


def filter_keyword_update(
    *, account: User, keyword_id: int, keyword: str | None = None, whole_word: bool | None = None
) -> FilterKeyword:
    word = _keyword(keyword) if keyword is not None else None
    with transaction.atomic(durable=True):
        row = _own_keyword(account, keyword_id)
        if word is not None:
            row.keyword = word
        if whole_word is not None:
            row.whole_word = whole_word
        row.save(update_fields=["keyword", "whole_word"])
        _changed(row.filter)
    return row


def filter_keyword_delete(*, account: User, keyword_id: int) -> None:
    with transaction.atomic(durable=True):
        row = _own_keyword(account, keyword_id)
        row.delete()
        _changed(row.filter)


def filter_status_add(*, account: User, filter_id: int, status_id: int) -> FilterStatus:
    """Filter one post (one the account may see; another's filter or an unknown post is 404).
    Adding the same post twice is refused."""
    status = status_for_viewer(viewer=account, status_id=status_id)
    with transaction.atomic(durable=True):
        filter_ = _own_filter(account, filter_id)
        if filter_.statuses.count() >= MAX_STATUSES:
            raise ValidationFailed(
                _("A filter has at most %(n)d posts") % {"n": MAX_STATUSES}, field="status_id"
            )
        try:
            with transaction.atomic():
                row = FilterStatus.objects.create(filter=filter_, status=status)
        except IntegrityError:
            raise ValidationFailed(_("Status has already been taken"), field="status_id") from None
        _changed(filter_)
    return row


def _own_filter_status(account: User, row_id: int) -> FilterStatus:
    return _own_part(FilterStatus, account, row_id, _("This filtered post does not exist."))


def filter_status_delete(*, account: User, row_id: int) -> FilterStatus:
    with transaction.atomic(durable=True):
        row = _own_filter_status(account, row_id)
        pk = row.pk
        row.delete()
        row.pk = pk  # the caller answers with what was removed
        _changed(row.filter)
    return row


# v1 filters (deprecated in Mastodon 4): one keyword per filter. The v1 id is the keyword's.


def filter_v1_create(
    *,
    account: User,
    phrase: str,
    context: Sequence[str],
    irreversible: bool = False,
    whole_word: bool = True,
    expires_in: int | None = None,
) -> FilterKeyword:
    filter_ = filter_create(
        account=account,
        title=phrase,
        context=context,
        action=FilterAction.HIDE if irreversible else FilterAction.WARN,
        expires_in=expires_in,
        keywords=[KeywordChange(keyword=phrase, whole_word=whole_word)],
    )
    return filter_.keywords.get()


def filter_v1_update(
    *,
    account: User,
    keyword_id: int,
    phrase: str | None = None,
    context: Sequence[str] | None = None,
    irreversible: bool | None = None,
    whole_word: bool | None = None,
    expires_in: int | object | None = UNSET,
) -> FilterKeyword:
    row = _own_keyword(account, keyword_id)
    action = (
        None if irreversible is None else (FilterAction.HIDE if irreversible else FilterAction.WARN)
    )
    filter_update(
        account=account,
        filter_id=row.filter_id,
        context=context,
        action=action,
        expires_in=expires_in,
        keywords=[KeywordChange(id=row.pk, keyword=phrase, whole_word=whole_word)],
    )
    return FilterKeyword.objects.select_related("filter").get(pk=row.pk)


def filter_v1_delete(*, account: User, keyword_id: int) -> None:
    """Remove the keyword; its filter goes too when nothing else is left in it."""
    with transaction.atomic(durable=True):
        row = _own_keyword(account, keyword_id)
        filter_ = row.filter
        row.delete()
        if not filter_.keywords.exists() and not filter_.statuses.exists():
            filter_.delete()
            events.publish("filters_changed", account=account.pk)
        else:
            _changed(filter_)


# Muted threads ------------------------------------------------------------------------------


def thread_mute(*, account: User, status_id: int) -> int:
    """Mute the thread of a post one may see: no more notifications about any post in it.
    Returns the post's id. Repeating is harmless."""
    status = status_for_viewer(viewer=account, status_id=status_id)
    root = thread_root(status.pk) or status.pk
    with transaction.atomic(durable=True):
        ThreadMute.objects.get_or_create(account=account, status_id=root)
    return status.pk


def thread_unmute(*, account: User, status_id: int) -> int:
    status = status_for_viewer(viewer=account, status_id=status_id)
    root = thread_root(status.pk) or status.pk
    with transaction.atomic(durable=True):
        ThreadMute.objects.filter(account=account, status_id=root).delete()
    return status.pk


# Blocked domains ----------------------------------------------------------------------------

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def normalize_domain(domain: str, *, local: str) -> str:
    """A domain name as stored: lower case, IDNA (punycode) for non-ASCII, no trailing dot.
    Refuses what is not a domain name, and the site's own domain."""
    text = check_text(domain or "", field="domain").strip().rstrip(".").lower()
    if not text:
        raise ValidationFailed(_("Domain can't be blank"), field="domain")
    try:
        ascii_ = text.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_ = ""
    labels = ascii_.split(".")
    if (
        not ascii_
        or len(ascii_) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationFailed(_("Domain is not a valid domain name"), field="domain")
    if ascii_ == local.lower():
        raise ValidationFailed(_("You cannot block this site's own domain"), field="domain")
    return ascii_


def domain_block(*, account: User, domain: str, local: str) -> str:
    name = normalize_domain(domain, local=local)
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=account.pk).first()
        if DomainBlock.objects.filter(account=account).count() >= MAX_DOMAIN_BLOCKS:
            raise ValidationFailed(
                _("You have reached the limit of %(n)d blocked domains") % {"n": MAX_DOMAIN_BLOCKS}
            )
        DomainBlock.objects.get_or_create(account=account, domain=name)
    return name


def domain_unblock(*, account: User, domain: str, local: str) -> str:
    name = normalize_domain(domain, local=local)
    with transaction.atomic(durable=True):
        DomainBlock.objects.filter(account=account, domain=name).delete()
    return name
