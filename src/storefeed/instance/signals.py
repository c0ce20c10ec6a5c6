"""Sign-ins counted for the weekly activity (a web sign-in and every token an app obtains),
and the cached rules forgotten when staff change one."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.signals import app_authorized

from storefeed.instance.models import Rule
from storefeed.instance.selectors import RULES_KEY
from storefeed.instance.services import login_record


@receiver(user_logged_in, dispatch_uid="instance_login_web")
def _web(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk:
        login_record(account_id=user.pk)


@receiver(app_authorized, dispatch_uid="instance_login_token")
def _token(sender: Any, request: Any, token: Any, **kwargs: Any) -> None:
    if getattr(token, "user_id", None):
        login_record(account_id=token.user_id)


@receiver(post_save, sender=Rule, dispatch_uid="instance_rules_saved")
@receiver(post_delete, sender=Rule, dispatch_uid="instance_rules_deleted")
def _rules_changed(sender: Any, **kwargs: Any) -> None:
    cache.delete(RULES_KEY)
