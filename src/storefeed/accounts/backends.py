"""Sign-in with a username or an email address (the web form, OAuth's password grant and the
admin), throttled (accounts/throttle.py)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models.functions import Lower
from django.http import HttpRequest

from storefeed.accounts import throttle
from storefeed.accounts.models import User
from storefeed.core import sql


class UsernameOrEmailBackend(ModelBackend):
    """Raises `throttle.SignInThrottled` (not PermissionDenied, which `authenticate()` would
    swallow) when the account or the address must wait: callers answer 429 or say when to
    try again."""

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in account of a web request: read on every page, so in one plain query
        (core/sql.py) rather than through the ORM, which took longer to build it."""
        found = sql.rows(
            f"SELECT {sql.columns(User, 'u')} FROM {sql.table(User)} u WHERE u.id = %s",  # noqa: S608
            [user_id],
        )
        user = sql.instance(User, found[0]) if found else None
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = account_for_login(username)
        key = throttle.account_key(account_id=user.pk if user else None, login=username)
        address = request.META.get("REMOTE_ADDR") if request is not None else None
        throttle.sign_in_attempt(key=key, address=address)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if not user.check_password(password):
            return None
        throttle.sign_in_succeeded(key=key, address=address)
        return user if self.user_can_authenticate(user) else None


def account_for_login(login: str) -> User | None:
    """The account `login` (a username or an email address) names."""
    login = login.strip().lstrip("@")
    field = "email__iexact" if "@" in login else "lname"
    candidates = User.objects.annotate(lname=Lower("username"))
    return candidates.filter(**{field: login if "@" in login else login.lower()}).first()


def account_for_credentials(login: str | None, password: str | None) -> User | None:
    """The account `login` names, if `password` is its password, active or not: a sign-in
    form may then say why an inactive one cannot enter. Not counted: call it only after
    `authenticate()` counted the attempt."""
    if not login or password is None:
        return None
    user = account_for_login(login)
    if user is None:
        User().set_password(password)  # same work as a real check: no timing hint
        return None
    return user if user.check_password(password) else None
