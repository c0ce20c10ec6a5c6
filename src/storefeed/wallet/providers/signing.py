"""Signatures of provider callbacks: HMAC-SHA256 over "<timestamp>.<nonce>." + the raw body,
with the shared secret (settings.PAYMENT_CALLBACK_SECRET), as lowercase hex.

A delivery layer passes the headers X-Storefeed-Timestamp (Unix seconds),
X-Storefeed-Nonce and X-Storefeed-Signature to `provider_callback` with the body bytes."""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Storefeed-Timestamp"
NONCE_HEADER = "X-Storefeed-Nonce"
SIGNATURE_HEADER = "X-Storefeed-Signature"
MAX_AGE_SECONDS = 300


def sign(*, secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}.{nonce}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(
    *, secret: str, timestamp: str, nonce: str, body: bytes, signature: str
) -> bool:
    expected = sign(secret=secret, timestamp=timestamp, nonce=nonce, body=body)
    return hmac.compare_digest(expected, (signature or "").strip().lower())
