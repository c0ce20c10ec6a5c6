"""Mastodon API: Web Push subscriptions (one per access token)."""

from typing import Any

from django.http import HttpResponse

from storefeed.api import push
from storefeed.api.mastodon.base import ApiRequest, endpoint, ok
from storefeed.api.mastodon.params import TRUE, Invalid
from storefeed.api.mastodon.routing import route
from storefeed.api.models import PUSH_ALERTS, PushSubscription
from storefeed.api.tokens import presented_token


def _alerts(api: ApiRequest) -> dict[str, bool]:
    """`data[alerts][name]` for the names Mastodon knows (others are ignored, as it does)."""
    given = api.params.dict("data").get("alerts", {})
    if not isinstance(given, dict):
        raise Invalid("data[alerts] must be an object")
    alerts = {}
    for name in PUSH_ALERTS:
        if name in given:
            value = given[name]
            alerts[name] = value if isinstance(value, bool) else str(value).strip().lower() in TRUE
    # Rails reads `admin.sign_up` also as nested `admin[sign_up]`.
    nested = given.get("admin")
    if isinstance(nested, dict):
        for sub in ("sign_up", "report"):
            if sub in nested:
                value = nested[sub]
                alerts[f"admin.{sub}"] = (
                    value if isinstance(value, bool) else str(value).strip().lower() in TRUE
                )
    return alerts


def _policy(api: ApiRequest) -> str | None:
    # `data[policy]` in the reference; Mastodon.py sends a top-level `policy`.
    value = api.params.dict("data").get("policy", api.params.raw("policy"))
    if value is not None and not isinstance(value, str):
        raise Invalid("data[policy] must be a string")
    return value


def _entity(subscription: PushSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "endpoint": subscription.endpoint,
        "standard": subscription.standard,
        "alerts": {name: bool(subscription.alerts.get(name)) for name in PUSH_ALERTS},
        "server_key": push.server_public_key(),
        "policy": subscription.policy,
    }


def _subscription_spec(api: ApiRequest) -> push.SubscriptionSpec:
    given = api.params.dict("subscription")
    keys = given.get("keys", {})
    if not isinstance(keys, dict):
        raise Invalid("subscription[keys] must be an object")
    parts = {
        "subscription[endpoint]": given.get("endpoint"),
        "subscription[keys][p256dh]": keys.get("p256dh"),
        "subscription[keys][auth]": keys.get("auth"),
    }
    for name, value in parts.items():
        if value in (None, ""):
            raise Invalid(f"{name} can't be blank", field=name)
        if not isinstance(value, str):
            raise Invalid(f"{name} must be a string", field=name)
    standard = given.get("standard", False)
    return push.SubscriptionSpec(
        endpoint=str(parts["subscription[endpoint]"]),
        p256dh=str(parts["subscription[keys][p256dh]"]),
        auth=str(parts["subscription[keys][auth]"]),
        standard=standard if isinstance(standard, bool) else str(standard).lower() in TRUE,
    )


@endpoint("POST", "GET", "PUT", "DELETE", scope="push")
def subscription(api: ApiRequest) -> HttpResponse:
    token_id = api.token.pk
    method = api.request.method
    if method == "POST":
        created = push.push_subscription_create(
            account=api.user,
            token_id=token_id,
            spec=_subscription_spec(api),
            alerts=_alerts(api),
            policy=_policy(api),
            site_url=api.build_url("/").rstrip("/"),
            token=presented_token(api.request) or "",
        )
        return ok(_entity(created))
    if method == "PUT":
        return ok(
            _entity(
                push.push_subscription_update(
                    token_id=token_id, alerts=_alerts(api), policy=_policy(api)
                )
            )
        )
    if method == "DELETE":
        push.push_subscription_delete(token_id=token_id)
        return ok({})
    return ok(_entity(push.push_subscription_for_token(token_id=token_id)))


urlpatterns = [route("api/v1/push/subscription", subscription)]
