"""Template helpers for the web pages: times, the nine-grid, avatars, the unread badge."""

import datetime as dt
import functools
import threading
from collections import OrderedDict
from typing import Any

from django import template
from django.apps import apps
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter, naturaltime
from django.template.defaultfilters import date as date_filter
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from storefeed.core import events
from storefeed.core.money import DEFAULT_CURRENCY, display, format_amount
from storefeed.notifications import selectors as notification_selectors
from storefeed.web import icons

register = template.Library()


@register.filter
def reltime(value: dt.datetime | None) -> str:
    """ "3 minutes ago" within a day, then the date ("Mar 5", or "2024-03-05" for other years)."""
    if value is None:
        return ""
    now = timezone.now()
    if now - value < dt.timedelta(days=1):
        return _ago(now - value, value)
    local = timezone.localtime(value)
    if local.year == timezone.localtime(now).year:
        return date_filter(local, _("M j"))
    return date_filter(local, "Y-m-d")


_AGO = {"s": "past-second", "m": "past-minute", "h": "past-hour"}
_ago_texts: dict[tuple[str, str, int], str] = {}


def _ago(delta: dt.timedelta, value: dt.datetime) -> str:
    """`naturaltime` of a time less than a day ago, from its own words, remembered per
    language and count: every post on every page asks."""
    seconds = delta.seconds
    if delta.days != 0 or seconds == 0:  # in the future, or now
        return str(naturaltime(value))
    unit, count = ("s", seconds) if seconds < 60 else ("m", seconds // 60)
    if seconds >= 3600:
        unit, count = "h", seconds // 3600
    key = (get_language() or "", unit, count)
    text = _ago_texts.get(key)
    if text is None:
        words = NaturalTimeFormatter.time_strings[_AGO[unit]]
        text = _ago_texts[key] = str(words % {"count": count})
    return text


# What {% csrf_token %} sees inside a {% fragment %} while it is rendered: the real token
# takes its place on every use.
_CSRF_MARK = "sf-csrf-token-here"


@register.tag
def fragment(parser: template.base.Parser, token: template.base.Token) -> "FragmentNode":
    """`{% fragment value ... %}...{% endfragment %}`: the block rendered once per process for
    each combination of the values (and the language, time zone and script prefix), then
    reused; the CSRF token is filled in on each use. For the parts of every page that are the
    same for many requests (menus, footer). Everything the block shows must come from the
    values listed, never from anything else in the context."""
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, values)


class FragmentNode(template.Node):
    KEEP = 1000  # renderings kept per block (least recently used go first)

    def __init__(self, nodelist: template.NodeList, values: list[Any]) -> None:
        self.nodelist = nodelist
        self.values = values
        self.rendered: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self.lock = threading.Lock()

    def render(self, context: template.Context) -> str:
        token = context.get("csrf_token")
        if token is None or str(token) in ("", "NOTPROVIDED"):
            return self.nodelist.render(context)  # no token to fill in: render as it is
        key = (
            get_language(),
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            *(value.resolve(context) for value in self.values),
        )
        with self.lock:
            html = self.rendered.get(key)
            if html is not None:
                self.rendered.move_to_end(key)
        if html is None:
            with context.push(csrf_token=_CSRF_MARK):
                html = self.nodelist.render(context)
            with self.lock:
                self.rendered[key] = html
                while len(self.rendered) > self.KEEP:
                    self.rendered.popitem(last=False)
        return mark_safe(html.replace(_CSRF_MARK, conditional_escape(str(token))))  # noqa: S308 - rendered by the template engine


@register.simple_tag
def href(name: str, *args: Any) -> str:
    """`{% url name args %}` remembered per process: what every page's navigation reverses
    (about 25 addresses) costs a dict lookup instead of a reverse() each. An address that
    does not exist (its app is switched off) is "", as `{% url ... as var %}` gives."""
    return _href(settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name, args)


@functools.lru_cache(maxsize=4096)
def _href(_root: str, _urlconf: Any, _prefix: str, name: str, args: tuple[Any, ...]) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}` remembered per process: the manifest's hashed names do not change
    while a process runs, and every page names the same few files."""
    return _asset(settings.STATIC_URL, path)


@functools.lru_cache(maxsize=256)
def _asset(_static_url: str, path: str) -> str:
    return static(path)


@register.simple_tag
def icon(name: str) -> str:
    """An inline SVG icon (web/icons.py)."""
    return icons.icon(name)


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
    """A stable colour for a letter avatar: one of twelve hues, each a class in app.css
    (`hue-0` ... `hue-11`; a class, not a style attribute, which the CSP refuses)."""
    return (getattr(account, "pk", 0) or 0) % 12


@register.simple_tag
def status_href(status) -> str:
    return reverse("web:status", args=[status.account.username, status.pk])


@register.simple_tag(takes_context=True)
def live_stream(context) -> str:
    """The <body> attributes web/live.js reads: where the streaming API is (as an http(s)
    address, for EventSource), whether the reader is signed in, and the page's language.
    Nothing when this site runs no streaming API (the pages then stay as read)."""
    request = context.get("request")
    if request is None:
        return ""
    found = events.streaming_url(request.is_secure(), request.get_host())
    if not found:
        return ""
    base = "http" + found.removeprefix("ws") if found.startswith("ws") else found
    user = getattr(request, "user", None)
    signed_in = "1" if user is not None and user.is_authenticated else "0"
    return format_html(
        ' data-stream="{}" data-stream-user="{}" data-stream-lang="{}"',
        base,
        signed_in,
        get_language() or settings.LANGUAGE_CODE,
    )


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


@register.simple_tag(takes_context=True)
def product_picker(context) -> Any:
    """The composer's product picker for an active seller (None when commerce is off, or for
    anyone who does not sell)."""
    request = context.get("request")
    if request is None or not apps.is_installed("storefeed.catalog"):
        return None
    cache = getattr(request, "_storefeed_picker", False)
    if cache is False:
        from storefeed.web.shop.compose import picker_for  # commerce may be switched off

        cache = picker_for(request)
        request._storefeed_picker = cache
    return cache


@register.simple_tag
def commerce_on() -> bool:
    return apps.is_installed("storefeed.catalog")


@register.simple_tag
def seller_of(account):
    """The account's Seller row (active or suspended), or None; None when commerce is off."""
    if account is None or not getattr(account, "pk", None):
        return None
    if not apps.is_installed("storefeed.sellers"):
        return None
    from storefeed.sellers.selectors import seller_for  # commerce may be switched off

    return seller_for(account.pk)


@register.simple_tag(takes_context=True)
def own_seller_state(context) -> str:
    """The signed-in reader's seller state ("active", "suspended"), "" if they do not sell
    or commerce is off; read once per request (the composer's picker asks too)."""
    request = context.get("request")
    if request is None or not apps.is_installed("storefeed.sellers"):
        return ""
    from storefeed.web.shop.common import own_seller_state  # commerce may be switched off

    return own_seller_state(request) or ""


@register.filter
def amount(fen: int | None, currency: str = DEFAULT_CURRENCY) -> str:
    """Fen -> "199.00" (what a price field shows)."""
    return "" if fen is None else format_amount(int(fen), currency)


@register.filter
def money(fen: int | None, currency: str = DEFAULT_CURRENCY) -> str:
    """Fen -> "¥199.00"."""
    return "" if fen is None else display(int(fen), currency)


@register.filter
def order_state(state: str) -> str:
    """An order state's label ("shipped" -> "Shipped"), in the reader's language."""
    if not apps.is_installed("storefeed.orders"):
        return state
    from storefeed.orders.states import state_label  # commerce may be switched off

    return state_label(state)


@register.simple_tag
def carrier_choices() -> list[tuple[str, str]]:
    """The carriers a seller picks from when shipping, in the reader's language."""
    from storefeed.orders import carriers

    return carriers.choices()


@register.filter
def shipment(order: Any) -> str:
    """An order's carrier (in the reader's language) and tracking number, linked to the
    carrier's tracking page when it is a known carrier."""
    from storefeed.orders import carriers  # only orders have shipments

    text = f"{carriers.label(order.carrier)} {order.tracking_number}"
    url = carriers.tracking_url(order.carrier, order.tracking_number)
    if url is None:
        return conditional_escape(text)
    return mark_safe(  # noqa: S308 - both parts escaped
        f'<a href="{conditional_escape(url)}" rel="noopener noreferrer" target="_blank" '
        f'data-testid="tracking-link">{conditional_escape(text)}</a>'
    )
