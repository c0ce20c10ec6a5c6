"""Web Push: Mastodon's push subscriptions (one per access token) and the delivery of
notifications to them, encrypted for the subscriber (RFC 8291 with `standard`, else the legacy
draft Mastodon uses by default) and signed with the server's VAPID key.

Delivery runs in the worker (`tasks.deliver_push`), started by `notifications_made` after the
commit that made the notifications. Endpoints must be https URLs on public addresses (checked
when subscribing, and again on every connection by core.safehttp, so DNS rebinding does not
help); PUSH_ALLOW_PRIVATE lets http:// and loopback through for tests. A 404 or 410 from the
push service means the browser dropped the subscription: it is deleted.
"""

import base64
import hashlib
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import http_ece
import httpcore
import httpx
import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from py_vapid import Vapid01, Vapid02

from storefeed.accounts.models import User
from storefeed.api.models import PUSH_ALERTS, PushPolicy, PushServerKey, PushSubscription
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.safehttp import AddressNotAllowed, GuardedTransport, checked_addresses
from storefeed.notifications.models import Notification, NotificationType
from storefeed.social.models import Follow

log = logging.getLogger(__name__)

# Our notification types under Mastodon's alert names ("reply" is a mention to clients; shop
# events have no Mastodon alert and are not pushed).
ALERT_OF_TYPE = {
    NotificationType.MENTION: "mention",
    NotificationType.REPLY: "mention",
    NotificationType.STATUS: "status",
    NotificationType.REBLOG: "reblog",
    NotificationType.FOLLOW: "follow",
    NotificationType.FOLLOW_REQUEST: "follow_request",
    NotificationType.FAVOURITE: "favourite",
    NotificationType.UPDATE: "update",
}
NOTIFICATION_TYPE_NAME = {NotificationType.REPLY: "mention"}
BODY_CHARACTERS = 140
# How long a push service keeps a push for an offline device (Mastodon's 48 hours).
TTL_SECONDS = 48 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """base64url or standard base64, padded or not (clients send either)."""
    text = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Keys -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerKey:
    private_key: str  # base64url of the raw 32-byte scalar
    public_key: str  # base64url of the 65-byte uncompressed point (the entity's server_key)


def generate_server_key() -> ServerKey:
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return ServerKey(private_key=_b64(raw), public_key=_b64(public))


SERVER_KEY_CACHE = "push:server-public-key"


def server_key() -> ServerKey:
    """The VAPID key pair: from the settings, else the one generated on first use and kept."""
    if settings.PUSH_VAPID_PRIVATE_KEY and settings.PUSH_VAPID_PUBLIC_KEY:
        return ServerKey(settings.PUSH_VAPID_PRIVATE_KEY, settings.PUSH_VAPID_PUBLIC_KEY)
    return _stored_server_key()


def server_public_key() -> str:
    """The public half (the entities' `server_key`, `vapid_key`), read through the cache so
    the instance entity costs no query for it. Only the public half is ever cached."""
    if settings.PUSH_VAPID_PRIVATE_KEY and settings.PUSH_VAPID_PUBLIC_KEY:
        return str(settings.PUSH_VAPID_PUBLIC_KEY)
    try:
        cached = cache.get(SERVER_KEY_CACHE)
    except Exception:  # a cache that is down costs a query, never the answer
        cached = None
    if isinstance(cached, str) and cached:
        return cached
    public = _stored_server_key().public_key
    try:
        cache.set(SERVER_KEY_CACHE, public, None)
    except Exception:
        log.warning("could not cache the VAPID public key", exc_info=True)
    return public


def _stored_server_key() -> ServerKey:
    row = PushServerKey.objects.order_by("pk").first()
    if row is None:
        fresh = generate_server_key()
        try:
            with transaction.atomic():
                # pk=1: two processes generating at once insert one row; the loser reads it.
                PushServerKey.objects.create(
                    pk=1, private_key=fresh.private_key, public_key=fresh.public_key
                )
        except IntegrityError:
            pass
        row = PushServerKey.objects.order_by("pk").first()
        assert row is not None
    return ServerKey(row.private_key, row.public_key)


# Subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionSpec:
    endpoint: str
    p256dh: str
    auth: str
    standard: bool = False


def _check_endpoint(endpoint: str) -> str:
    bad = ValidationFailed(
        _("The push endpoint must be an https URL of a public push service."),
        field="subscription[endpoint]",
    )
    endpoint = (endpoint or "").strip()
    if len(endpoint) > 2000:
        raise bad
    try:
        parts = urlsplit(endpoint)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise bad from None
    allow_private = settings.PUSH_ALLOW_PRIVATE
    if not parts.hostname or parts.scheme not in (
        ("https", "http") if allow_private else ("https",)
    ):
        raise bad
    if parts.username or parts.password:
        raise bad
    try:
        checked_addresses(parts.hostname, port, allow_private=allow_private)
    except AddressNotAllowed:
        raise bad from None
    except (OSError, httpcore.ConnectError) as error:
        # Not resolvable now (a DNS hiccup): kept; every delivery checks the address again.
        log.info("push endpoint %s does not resolve now: %s", parts.hostname, error)
    return endpoint


def _check_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The keys as base64url without padding, once checked."""
    try:
        point = _unb64(p256dh or "")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError):
        raise ValidationFailed(
            _("The subscription's p256dh key is not a P-256 public key."),
            field="subscription[keys][p256dh]",
        ) from None
    try:
        secret = _unb64(auth or "")
    except (ValueError, TypeError):
        secret = b""
    if len(secret) != 16:
        raise ValidationFailed(
            _("The subscription's auth secret must be 16 bytes."),
            field="subscription[keys][auth]",
        )
    return _b64(point), _b64(secret)


def _check_policy(policy: str | None, default: str) -> str:
    if policy in (None, ""):
        return default
    if policy not in PushPolicy.values:
        raise ValidationFailed(
            _("The push policy must be one of all, followed, follower or none."),
            field="data[policy]",
        )
    return policy


def _merged_alerts(old: Mapping[str, bool], changes: Mapping[str, bool]) -> dict[str, bool]:
    return {name: bool(changes.get(name, old.get(name, False))) for name in PUSH_ALERTS}


def push_subscription_create(
    *,
    account: User,
    token_id: int,
    spec: SubscriptionSpec,
    alerts: Mapping[str, bool],
    policy: str | None,
    site_url: str,
    token: str = "",
) -> PushSubscription:
    """Subscribe the access token `token_id` to Web Push, replacing its earlier subscription
    (Mastodon keeps one per token). `token`: that token as the client presented it (the
    payload names it, sealed meanwhile)."""
    endpoint = _check_endpoint(spec.endpoint)
    p256dh, auth = _check_keys(spec.p256dh, spec.auth)
    chosen_policy = _check_policy(policy, PushPolicy.ALL)
    with transaction.atomic(durable=True):
        PushSubscription.objects.filter(access_token_id=token_id).delete()
        newest = (
            Notification.objects.filter(recipient=account)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        return PushSubscription.objects.create(
            access_token_id=token_id,
            account=account,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            standard=spec.standard,
            alerts=_merged_alerts({}, alerts),
            policy=chosen_policy,
            site_url=site_url[:200],
            sealed_token=seal(token) if token else "",
            pushed_up_to=newest or 0,
        )


def push_subscription_for_token(*, token_id: int) -> PushSubscription:
    found = PushSubscription.objects.filter(access_token_id=token_id).first()
    if found is None:
        raise NotFound(_("This access token has no push subscription."))
    return found


def push_subscription_update(
    *, token_id: int, alerts: Mapping[str, bool], policy: str | None
) -> PushSubscription:
    """Change the alerts named in `alerts` (the others stay) and the policy, if given."""
    with transaction.atomic(durable=True):
        found = (
            PushSubscription.objects.select_for_update().filter(access_token_id=token_id).first()
        )
        if found is None:
            raise NotFound(_("This access token has no push subscription."))
        found.alerts = _merged_alerts(found.alerts, alerts)
        found.policy = _check_policy(policy, found.policy)
        found.save(update_fields=["alerts", "policy"])
        return found


def push_subscription_delete(*, token_id: int) -> None:
    """Unsubscribe (nothing to do when there is no subscription, as Mastodon answers {})."""
    with transaction.atomic(durable=True):
        PushSubscription.objects.filter(access_token_id=token_id).delete()


# Delivery ---------------------------------------------------------------------------------


def _wanted(subscription: PushSubscription, notification: Notification) -> bool:
    alert = ALERT_OF_TYPE.get(notification.type)  # type: ignore[call-overload]
    if alert is None or not subscription.alerts.get(alert):
        return False
    policy = subscription.policy
    if policy == PushPolicy.NONE:
        return False
    if policy == PushPolicy.FOLLOWED:
        return Follow.objects.filter(
            follower_id=subscription.account_id, target_id=notification.actor_id
        ).exists()
    if policy == PushPolicy.FOLLOWER:
        return Follow.objects.filter(
            follower_id=notification.actor_id, target_id=subscription.account_id
        ).exists()
    return True


def _title(notification: Notification) -> str:
    name = notification.actor.display_name or notification.actor.username
    titles = {
        "mention": _("%(name)s mentioned you"),
        "status": _("%(name)s just posted"),
        "reblog": _("%(name)s reposted your post"),
        "follow": _("%(name)s is now following you"),
        "follow_request": _("New follow request from %(name)s"),
        "favourite": _("%(name)s liked your post"),
        "update": _("%(name)s edited a post"),
    }
    alert = ALERT_OF_TYPE.get(notification.type, "mention")  # type: ignore[call-overload]
    return titles[alert] % {"name": name}


def _body(notification: Notification) -> str:
    status = notification.status
    if status is not None:
        text = status.spoiler_text or strip_tags(status.content) or status.text
    else:
        text = strip_tags(getattr(notification.actor, "note", "") or "")
    return Truncator(" ".join(text.split())).chars(BODY_CHARACTERS)


def _sealer() -> Fernet:
    key = hashlib.sha256(b"storefeed push token\0" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str) -> str:
    """`token` encrypted with a key derived from SECRET_KEY (which is not in the database)."""
    return _sealer().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str:
    """The token `seal` sealed; "" when there is none or SECRET_KEY has changed since."""
    if not sealed:
        return ""
    try:
        return _sealer().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""


def push_payload(subscription: PushSubscription, notification: Notification) -> dict[str, Any]:
    """Mastodon's Web Push payload, in the subscriber's language."""
    account = subscription.account
    locale = account.locale or settings.LANGUAGE_CODE
    avatar = notification.actor.avatar
    icon = (
        f"{subscription.site_url}{avatar.url}"
        if avatar
        else f"{subscription.site_url}/static/web/img/avatar.png"
    )
    with translation.override(locale):
        title, body = _title(notification), _body(notification)
    return {
        "access_token": unseal(subscription.sealed_token) or subscription.access_token.token,
        "preferred_locale": locale,
        "notification_id": str(notification.pk),
        "notification_type": NOTIFICATION_TYPE_NAME.get(notification.type, notification.type),  # type: ignore[call-overload]
        "icon": icon,
        "title": title,
        "body": body,
    }


def encrypt(subscription: PushSubscription, payload: bytes) -> tuple[bytes, dict[str, str]]:
    """`payload` encrypted for the subscriber, and the headers the encoding needs."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    receiver = _unb64(subscription.p256dh)
    secret = _unb64(subscription.auth)
    if subscription.standard:
        body = http_ece.encrypt(
            payload,
            private_key=ephemeral,
            dh=receiver,
            auth_secret=secret,
            version="aes128gcm",
        )
        return body, {"Content-Encoding": "aes128gcm"}
    salt = os.urandom(16)
    sender = _b64(
        ephemeral.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    body = http_ece.encrypt(
        payload,
        salt=salt,
        private_key=ephemeral,
        keyid=sender,
        dh=receiver,
        auth_secret=secret,
        version="aesgcm",
    )
    return body, {
        "Content-Encoding": "aesgcm",
        "Encryption": f"salt={_b64(salt)}",
        "Crypto-Key": f"dh={sender}",
    }


def vapid_headers(subscription: PushSubscription, key: ServerKey) -> dict[str, str]:
    """The VAPID signature for the push service at the endpoint's origin (RFC 8292's
    `vapid t=,k=` for standard subscriptions, the draft's `WebPush` + `p256ecdsa` else)."""
    parts = urlsplit(subscription.endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + 12 * 3600,
        "sub": vapid_subject(subscription),
    }
    signer = (Vapid02 if subscription.standard else Vapid01).from_raw(key.private_key.encode())
    return {str(k): str(v) for k, v in signer.sign(claims).items()}


def vapid_subject(subscription: PushSubscription) -> str:
    if settings.PUSH_VAPID_SUBJECT:
        return str(settings.PUSH_VAPID_SUBJECT)
    site = settings.SITE_URL or subscription.site_url
    if site.startswith("https://"):
        return site
    return f"mailto:{settings.DEFAULT_FROM_EMAIL}"


def _claim(subscription: PushSubscription, notification_id: int) -> bool:
    """Move the subscription's mark past `notification_id`; False if it was there already
    (a task run twice pushes once)."""
    return bool(
        PushSubscription.objects.filter(
            pk=subscription.pk, pushed_up_to__lt=notification_id
        ).update(pushed_up_to=notification_id)
    )


def send(subscription: PushSubscription, notification: Notification, key: ServerKey) -> int:
    """Encrypt and POST one push; returns the push service's status (0: not reached)."""
    payload = orjson.dumps(push_payload(subscription, notification))
    body, headers = encrypt(subscription, payload)
    vapid = vapid_headers(subscription, key)
    if "Crypto-Key" in vapid and "Crypto-Key" in headers:
        headers["Crypto-Key"] = f"{headers['Crypto-Key']};{vapid.pop('Crypto-Key')}"
    headers.update(vapid)
    headers.update(
        {"TTL": str(TTL_SECONDS), "Urgency": "normal", "Content-Type": "application/octet-stream"}
    )
    allow = settings.PUSH_ALLOW_PRIVATE
    try:
        with httpx.Client(
            transport=GuardedTransport(allow_private=lambda: allow),
            timeout=httpx.Timeout(settings.PUSH_TIMEOUT_SECONDS),
            follow_redirects=False,
            trust_env=False,
        ) as client:
            response = client.post(subscription.endpoint, content=body, headers=headers)
            return response.status_code
    except (AddressNotAllowed, httpx.HTTPError, OSError) as error:
        log.info("push to subscription %s failed: %s", subscription.pk, error)
        return 0


def push_deliver(*, notification_ids: Sequence[int]) -> int:
    """Push each of `notification_ids` to its recipient's subscriptions that want it. Runs in
    the worker, outside any transaction (it waits on push services). Returns pushes sent."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(type=NotificationType.SHOP)
        .select_related("actor", "status")
        .order_by("pk")
    )
    if not notifications:
        return 0
    by_account: dict[int, list[PushSubscription]] = {}
    for sub in PushSubscription.objects.filter(
        account_id__in={n.recipient_id for n in notifications}
    ).select_related("account", "access_token"):
        by_account.setdefault(sub.account_id, []).append(sub)
    if not by_account:
        return 0
    key = server_key()
    sent = 0
    for notification in notifications:
        for subscription in by_account.get(notification.recipient_id, []):
            if not _wanted(subscription, notification) or not _claim(subscription, notification.pk):
                continue
            status = send(subscription, notification, key)
            if status in (404, 410):
                PushSubscription.objects.filter(pk=subscription.pk).delete()
                log.info("push subscription %s is gone (%s): deleted", subscription.pk, status)
            elif 200 <= status < 300:
                sent += 1
            else:
                log.info("push to subscription %s answered %s", subscription.pk, status)
    return sent


def accounts_with_subscriptions(notification_ids: Sequence[int]) -> bool:
    """Whether any recipient of `notification_ids` has a push subscription (one indexed read,
    so a post's fan-out enqueues nothing for the many who never subscribed)."""
    recipients = Notification.objects.filter(pk__in=notification_ids).values("recipient_id")
    return PushSubscription.objects.filter(account_id__in=recipients).exists()
