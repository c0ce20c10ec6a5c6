"""Sign-in with a username or an email address (the web form and OAuth's password grant)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models.functions import Lower
from django.http import HttpRequest

from storefeed.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = account_for_credentials(username, password)
        return user if user is not None and self.user_can_authenticate(user) else None


def account_for_credentials(login: str | None, password: str | None) -> User | None:
    """The account `login` (a username or an email address) names, if `password` is its
    password, active or not: a sign-in form may then say why an inactive one cannot enter."""
    if not login or password is None:
        return None
    login = login.strip().lstrip("@")
    field = "email__iexact" if "@" in login else "lname"
    candidates = User.objects.annotate(lname=Lower("username"))
    user = candidates.filter(**{field: login if "@" in login else login.lower()}).first()
    if user is None:
        User().set_password(password)  # same work as a real check: no timing hint
        return None
    return user if user.check_password(password) else None
