"""Payment PIN hashes: a salted HMAC-SHA256 keyed with a secret that lives outside the database,
and the salted PBKDF2 that PINs were stored with before (read, then upgraded on the next
correct use).

A PIN has a million values, so any hash a thief can compute is undone by trying them all;
what stops that offline is a key the database does not hold. With the key, one check is a
few microseconds of CPU (the PBKDF2 it replaces took about 10 ms, a quarter of a checkout).
Online guessing is stopped by the lockout (five tries, then 15 minutes), not by slowness.

Stored as `hmac_sha256_pin$<key id>$<salt>$<hex digest>`. The key id (8 hex digits of a
hash of the key) names which key made the hash, so keys can be rotated: a hash made with an
old key still verifies while that key is listed in `WALLET_PIN_OLD_KEYS` and is rewritten
with the current key on its next correct use. A hash whose key is no longer known cannot be
checked at all: that PIN must be set again (with the sign-in password).
"""

import hashlib
import hmac
import secrets
from enum import Enum

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

ALGORITHM = "hmac_sha256_pin"
SALT_BYTES = 8


class PinHasher(PBKDF2PasswordHasher):
    """The former PIN hash: salted PBKDF2 of 50,000 rounds. Only read now (and by tests and
    the benchmark to make PINs of the old kind)."""

    algorithm = "pbkdf2_sha256_pin"
    iterations = 50_000


_LEGACY = PinHasher()


class PinMatch(Enum):
    RIGHT = "right"
    RIGHT_UPGRADE = "right_upgrade"  # right, but stored with an old key or the old hash
    WRONG = "wrong"
    UNREADABLE = "unreadable"  # made with a key no longer configured: must be set again


def _derived(secret: str) -> bytes:
    # Never the secret key itself: a key of its own, derived for this one purpose.
    return hmac.new(secret.encode(), b"storefeed.wallet.pin", hashlib.sha256).digest()


def pin_keys() -> list[bytes]:
    """The current key first, then the old ones still accepted. STOREFEED_PIN_KEY (setting
    WALLET_PIN_KEY) if set, else derived from SECRET_KEY; old keys are WALLET_PIN_OLD_KEYS,
    or, for derived keys, those derived from SECRET_KEY_FALLBACKS."""
    configured = str(getattr(settings, "WALLET_PIN_KEY", "") or "")
    old = [str(k) for k in getattr(settings, "WALLET_PIN_OLD_KEYS", []) if k]
    if configured:
        return [configured.encode()] + [k.encode() for k in old]
    fallbacks = [str(k) for k in getattr(settings, "SECRET_KEY_FALLBACKS", []) if k]
    return (
        [_derived(settings.SECRET_KEY)]
        + [k.encode() for k in old]
        + [_derived(k) for k in fallbacks]
    )


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"storefeed.wallet.pin-key-id:" + key).hexdigest()[:8]


def _digest(key: bytes, salt: str, pin: str) -> str:
    return hmac.new(key, f"{salt}${pin}".encode(), hashlib.sha256).hexdigest()


def pin_encode(pin: str) -> str:
    """The stored form of `pin`, with the current key and a fresh salt."""
    key = pin_keys()[0]
    salt = secrets.token_hex(SALT_BYTES)
    return f"{ALGORITHM}${key_id(key)}${salt}${_digest(key, salt, pin)}"


def pin_match(pin: str, encoded: str) -> PinMatch:
    """Whether `pin` is the one stored as `encoded` (either kind), in constant time for the
    keyed hash."""
    if encoded.startswith(ALGORITHM + "$"):
        parts = encoded.split("$")
        if len(parts) != 4:
            return PinMatch.UNREADABLE
        _algorithm, wanted_id, salt, digest = parts
        keys = pin_keys()
        for position, key in enumerate(keys):
            if key_id(key) == wanted_id:
                if not hmac.compare_digest(_digest(key, salt, pin), digest):
                    return PinMatch.WRONG
                return PinMatch.RIGHT if position == 0 else PinMatch.RIGHT_UPGRADE
        return PinMatch.UNREADABLE
    if encoded.startswith(PinHasher.algorithm + "$"):
        try:
            right = bool(_LEGACY.verify(pin, encoded))
        except (ValueError, AssertionError):
            return PinMatch.UNREADABLE
        return PinMatch.RIGHT_UPGRADE if right else PinMatch.WRONG
    return PinMatch.UNREADABLE
