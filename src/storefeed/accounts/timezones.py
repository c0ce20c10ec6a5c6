"""Which time zone a person sees times in: their setting, else their browser's, else their
language's (Asia/Shanghai for Chinese), else the site's."""

import functools
import zoneinfo

from django.conf import settings

# The zone a reader of each language most likely lives in, when nothing better is known.
LANGUAGE_ZONES = {"zh-hans": "Asia/Shanghai", "zh": "Asia/Shanghai"}


@functools.cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine's tz database has (the choices a person may pick)."""
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return name in known_zones()


@functools.cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone_name_for(*, chosen: str = "", browser: str = "", language: str = "") -> str:
    """The zone to show times in: the account's choice, the browser's (a cookie the page's
    script sets), the language's default, or the site's TIME_ZONE."""
    for name in (chosen, browser):
        if name and is_zone(name):
            return name
    return LANGUAGE_ZONES.get((language or "").lower(), settings.TIME_ZONE)


def zone_for(*, chosen: str = "", browser: str = "", language: str = "") -> zoneinfo.ZoneInfo:
    return zone(zone_name_for(chosen=chosen, browser=browser, language=language))
