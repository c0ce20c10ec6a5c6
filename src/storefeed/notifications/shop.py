"""The text of shop notifications. It is stored language-neutral (an untranslated msgid and its
parameters) and translated when read, so each recipient reads it in their own language, and in
the new one after switching. Rows written before this kept a formatted `message`, shown as is."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from storefeed.core.money import display

# A part of a message: a translatable {"msgid", "params"} or literal text (a person's reason).
Part = dict[str, Any] | str


def shop_text(msgid: str, /, **params: object) -> dict[str, Any]:
    """A translatable part: mark `msgid` with `gettext_noop` where it is written so it is
    extracted; `params` must be JSON values (use `money` for amounts)."""
    return {"msgid": msgid, "params": params}


def money(fen: int, currency: str) -> dict[str, Any]:
    """An amount parameter, formatted when read."""
    return {"fen": fen, "currency": currency}


def _param(value: object) -> object:
    if isinstance(value, dict) and "fen" in value:
        return display(int(value["fen"]), str(value.get("currency", "")))
    if isinstance(value, dict) and "msgid" in value:  # a translatable word, e.g. a carrier
        return _render(value)
    return value


def _render(part: object) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, Mapping) or not isinstance(part.get("msgid"), str):
        return ""
    msgid: str = part["msgid"]
    raw = part.get("params")
    params = {k: _param(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    try:
        return gettext(msgid) % params
    except (KeyError, ValueError, TypeError):
        # A broken translation must not hide the notification: fall back to the source text.
        try:
            return msgid % params
        except (KeyError, ValueError, TypeError):
            return msgid


def shop_message(data: Mapping[str, Any]) -> str:
    """The text of a shop notification in the active language."""
    if "msgid" not in data:
        return str(data.get("message") or "")
    parts = [_render(data), *(_render(p) for p in data.get("more") or ())]
    return " ".join(p for p in parts if p)
