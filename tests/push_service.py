"""A push service for tests: an HTTP server on loopback that records every request (as a
browser vendor's push service would receive it) and answers a status the test chooses; and
the subscriber's side: a key pair and auth secret, decryption of what arrived, and the check
of its VAPID signature."""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 201

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Wait (for a server's worker) until `count` pushes arrived."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} pushes arrived, not {count}")
            time.sleep(0.02)
        return self.received


def start_push_service() -> tuple[PushService, ThreadingHTTPServer]:
    service = PushService(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            service.received.append(
                Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
            )
            self.send_response(service.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    return service, server


@dataclass
class Subscriber:
    """The browser's side of a subscription."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> "Subscriber":
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth_b64(self) -> str:
        return b64url(self.auth)

    def decrypt(self, push: Received) -> dict[str, Any]:
        encoding = push.headers["content-encoding"]
        if encoding == "aes128gcm":
            plain = http_ece.decrypt(
                push.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
            )
        else:
            assert encoding == "aesgcm", encoding
            salt = unb64url(push.headers["encryption"].split("salt=", 1)[1].strip())
            dh = unb64url(push.headers["crypto-key"].split("dh=", 1)[1].split(";")[0].strip())
            plain = http_ece.decrypt(
                push.body,
                salt=salt,
                private_key=self.private_key,
                dh=dh,
                auth_secret=self.auth,
                keylabel="P-256",
                version="aesgcm",
            )
        return json.loads(plain)


def vapid_claims(push: Received, server_key: str) -> dict[str, Any]:
    """The VAPID JWT's claims, once its ES256 signature is checked against `server_key` (the
    subscription entity's). Either form: `vapid t=,k=` or `WebPush` with `p256ecdsa=`."""
    auth = push.headers["authorization"]
    if auth.startswith("vapid "):
        fields = dict(part.strip().split("=", 1) for part in auth[6:].split(","))
        token, key = fields["t"], fields["k"]
    else:
        assert auth.startswith("WebPush "), auth
        token = auth[8:].strip()
        key = push.headers["crypto-key"].split("p256ecdsa=", 1)[1].split(";")[0].strip()
    assert key == server_key
    header, claims, signature = token.split(".")
    raw = unb64url(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("the VAPID signature does not verify") from None
    assert json.loads(unb64url(header))["alg"] == "ES256"
    return json.loads(unb64url(claims))
