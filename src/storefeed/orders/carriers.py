"""The carriers a seller ships with, each with its tracking page. A known carrier is stored by
its code ("sf") and shown in the reader's language; any other is stored as the seller typed it,
with no link."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str  # an untranslated msgid: gettext(name) in the reader's language
    chinese: str  # how sellers type it in Chinese, also accepted as input
    lookup: str  # the carrier's code on Kuaidi100, the tracking lookup every carrier is on


CARRIERS = (
    Carrier("sf", gettext_noop("SF Express"), "顺丰速运", "shunfeng"),
    Carrier("jd", gettext_noop("JD Logistics"), "京东物流", "jd"),
    Carrier("zto", gettext_noop("ZTO Express"), "中通快递", "zhongtong"),
    Carrier("yto", gettext_noop("YTO Express"), "圆通速递", "yuantong"),
    Carrier("sto", gettext_noop("STO Express"), "申通快递", "shentong"),
    Carrier("yunda", gettext_noop("Yunda Express"), "韵达快递", "yunda"),
    Carrier("ems", gettext_noop("EMS"), "EMS", "ems"),
    Carrier("chinapost", gettext_noop("China Post"), "中国邮政", "youzhengguonei"),
)
OTHER = "other"
_BY_CODE = {carrier.code: carrier for carrier in CARRIERS}


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


_BY_TEXT = {
    _key(text): carrier
    for carrier in CARRIERS
    for text in (carrier.code, carrier.name, carrier.chinese, f"{carrier.name}{carrier.chinese}")
}


def carrier_for(text: str) -> Carrier | None:
    """The known carrier `text` names (its code, English or Chinese name), if any."""
    return _BY_TEXT.get(_key(text or ""))


def stored(text: str) -> str:
    """What an order records for the carrier the seller gave: the code of a known one."""
    carrier = carrier_for(text)
    return carrier.code if carrier else text


def label(value: str) -> str:
    """The carrier as the reader sees it: a known carrier's name in the active language."""
    carrier = _BY_CODE.get(value)
    return gettext(carrier.name) if carrier else value


def tracking_url(value: str, number: str) -> str | None:
    """The tracking page of a parcel, for a known carrier."""
    carrier = _BY_CODE.get(value)
    if carrier is None or not number:
        return None
    return "https://www.kuaidi100.com/chaxun?" + urlencode({"com": carrier.lookup, "nu": number})


def choices() -> list[tuple[str, str]]:
    """The carriers for a form's select, in the active language, "Other" last."""
    return [(c.code, gettext(c.name)) for c in CARRIERS] + [(OTHER, gettext("Other"))]
