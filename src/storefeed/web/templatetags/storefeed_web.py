"""Template helpers for the web pages: times, the nine-grid, avatars, the unread badge."""

import datetime as dt

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.notifications import selectors as notification_selectors

register = template.Library()


@register.filter
def reltime(value: dt.datetime | None) -> str:
    """ "3 minutes ago" within a day, then the date ("Mar 5", or "2024-03-05" for other years)."""
    if value is None:
        return ""
    now = timezone.now()
    if now - value < dt.timedelta(days=1):
        return str(naturaltime(value))
    local = timezone.localtime(value)
    if local.year == timezone.localtime(now).year:
        return date_filter(local, _("M j"))
    return date_filter(local, "Y-m-d")


@register.filter
def grid_class(count: int) -> str:
    """Weibo's nine-grid: one image large, two to four in two columns, five to nine in three."""
    if count <= 1:
        return "grid-1"
    if count <= 4:
        return "grid-2"
    return "grid-3"


@register.filter
def initial(account) -> str:
    """The letter shown in place of a missing avatar."""
    name = (getattr(account, "display_name", "") or getattr(account, "username", "") or "?").strip()
    return name[:1].upper()


@register.filter
def avatar_hue(account) -> int:
    """A stable colour for a letter avatar."""
    return (getattr(account, "pk", 0) or 0) % 360


@register.simple_tag
def status_href(status) -> str:
    return reverse("web:status", args=[status.account.username, status.pk])


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cache = getattr(request, "_storefeed_unread", None)
    if cache is None:
        cache = notification_selectors.unread_count(account=user)
        request._storefeed_unread = cache  # type: ignore[union-attr]
    return cache


@register.simple_tag
def composer_limits() -> dict[str, int]:
    return {"chars": settings.STATUS_MAX_CHARACTERS, "media": settings.STATUS_MAX_MEDIA}


@register.filter
def reply_account(status):
    """The account a post replies to, only if the selector already loaded it (a template must
    not cost a query per post)."""
    field = type(status).in_reply_to_account.field
    return status.in_reply_to_account if field.is_cached(status) else None
