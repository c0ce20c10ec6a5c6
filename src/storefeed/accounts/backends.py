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
        if not username or password is None:
            return None
        login = username.strip().lstrip("@")
        field = "email__iexact" if "@" in login else "lname"
        candidates = User.objects.annotate(lname=Lower("username"))
        user = candidates.filter(**{field: login if "@" in login else login.lower()}).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
