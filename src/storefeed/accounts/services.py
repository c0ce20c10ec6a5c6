"""Writes to accounts: sign-up, profile, password, expert verification."""

from typing import IO, Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts import images
from storefeed.accounts.models import ExpertField, User
from storefeed.accounts.signals import account_unlocked
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.core.text import USERNAME_RE, clean_plain, text_length

DISPLAY_NAME_MAX = 60
NOTE_MAX = 500
# Names that would read as the site speaking, or collide with page addresses.
RESERVED_USERNAMES = frozenset(
    {
        "admin", "administrator", "api", "root", "staff", "support", "storefeed", "system",
        "moderator", "settings", "static", "media", "login", "logout", "signup", "about",
        "help", "search", "notifications", "tags", "explore", "home",
    }
)  # fmt: skip


def _clean_username(username: str) -> str:
    username = (username or "").strip().lstrip("@")
    if not username:
        raise ValidationFailed(_("Choose a username."), field="username")
    if not USERNAME_RE.fullmatch(username):
        raise ValidationFailed(
            _("Use 1 to 30 letters, digits or underscores (no spaces or symbols)."),
            field="username",
        )
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationFailed(_("That username is reserved."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(_("That username is taken."), field="username")
    return username


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            _("An account with that email address already exists."), field="email"
        )
    return email


def _clean_display_name(value: str) -> str:
    value = clean_plain(value or "")
    if text_length(value) > DISPLAY_NAME_MAX:
        raise ValidationFailed(
            _("A display name can be at most %(max)d characters.") % {"max": DISPLAY_NAME_MAX},
            field="display_name",
        )
    return value


def _clean_note(value: str) -> str:
    value = clean_plain(value or "", multiline=True)
    if text_length(value) > NOTE_MAX:
        raise ValidationFailed(
            _("A bio can be at most %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )
    return value


def _check_password(password: str, *, user: User, field: str) -> None:
    if not password:
        raise ValidationFailed(_("Choose a password."), field=field)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field=field) from None


def account_create(*, username: str, email: str, password: str, display_name: str = "") -> User:
    """Sign up. Usernames are unique whatever their case; the password passes Django's
    validators. Refusals are ValidationFailed with `field` naming the input at fault."""
    username = _clean_username(username)
    email = _clean_email(email)
    display_name = _clean_display_name(display_name)
    user = User(username=username, email=email, display_name=display_name)
    _check_password(password, user=user, field="password")
    user.set_password(password)
    try:
        with transaction.atomic(durable=True):
            user.save(force_insert=True)
    except IntegrityError:
        # Someone took the name (in another case) between our check and the insert.
        raise ValidationFailed(_("That username is taken."), field="username") from None
    return user


def profile_update(
    *,
    account: User,
    display_name: str | None = None,
    note: str | None = None,
    avatar: IO[bytes] | None = None,
    header: IO[bytes] | None = None,
    locked: bool | None = None,
) -> User:
    """Change what others see of an account. Arguments left as None stay as they are.
    Images are checked and re-encoded before the transaction opens."""
    changes: dict[str, Any] = {}
    if display_name is not None:
        changes["display_name"] = _clean_display_name(display_name)
    if note is not None:
        changes["note"] = _clean_note(note)
    if locked is not None:
        changes["locked"] = bool(locked)
    stem = f"{account.pk}-{timezone.now():%Y%m%d%H%M%S}"
    new_avatar = images.process_avatar(avatar, stem=stem) if avatar is not None else None
    new_header = images.process_header(header, stem=stem) if header is not None else None

    old_files = []
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=account.pk)
        was_locked = user.locked
        for name, value in changes.items():
            setattr(user, name, value)
        fields = list(changes)
        for name, content in (("avatar", new_avatar), ("header", new_header)):
            if content is None:
                continue
            file_field = getattr(user, name)
            if file_field:
                old_files.append((file_field.storage, file_field.name))
            file_field.save(content.name, content, save=False)
            fields.append(name)
        if fields:
            user.save(update_fields=fields)
        if was_locked and user.locked is False:
            account_unlocked.send(sender=User, account_id=user.pk)

        def _remove_old() -> None:
            for storage, name in old_files:
                storage.delete(name)

        transaction.on_commit(_remove_old)
    # The caller's instance reflects the change too.
    for name in fields:
        setattr(account, name, getattr(user, name))
    return user


def password_change(*, account: User, old_password: str, new_password: str) -> None:
    """Change a password, given the current one. The web layer keeps the session signed in."""
    if not account.check_password(old_password or ""):
        raise ValidationFailed(_("Your current password is not correct."), field="old_password")
    _check_password(new_password, user=account, field="new_password")
    if old_password == new_password:
        raise ValidationFailed(
            _("The new password must differ from the current one."), field="new_password"
        )
    with transaction.atomic(durable=True):
        account.set_password(new_password)
        account.save(update_fields=["password"])


def _require_staff(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise Forbidden(_("Only staff can verify experts."))


def expert_verify(*, account: User, field: ExpertField | str, by: User) -> User:
    """Staff mark an account as a verified expert in one field (a field or its slug)."""
    _require_staff(by)
    if isinstance(field, str):
        found = ExpertField.objects.filter(slug=field).first()
        if found is None:
            raise NotFound(
                _("There is no expert field “%(slug)s”.") % {"slug": field}, field="field"
            )
        field = found
    with transaction.atomic(durable=True):
        account.expert_field = field
        account.expert_verified_at = timezone.now()
        account.save(update_fields=["expert_field", "expert_verified_at"])
    return account


def expert_revoke(*, account: User, by: User) -> User:
    """Staff take an account's expert badge away."""
    _require_staff(by)
    with transaction.atomic(durable=True):
        account.expert_field = None
        account.expert_verified_at = None
        account.save(update_fields=["expert_field", "expert_verified_at"])
    return account
