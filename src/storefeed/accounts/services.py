"""Writes to accounts: sign-up, email confirmation, profile, password, expert verification."""

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from storefeed.accounts import images, mail, throttle, timezones
from storefeed.accounts.errors import (
    ConfirmationLinkInvalid,
    ConfirmationTooSoon,
    EmailAlreadyConfirmed,
)
from storefeed.accounts.models import ExpertField, User
from storefeed.accounts.signals import account_unlocked
from storefeed.core import limits
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
        raise ValidationFailed(_("Choose a username."), field="username", reason="blank")
    if not USERNAME_RE.fullmatch(username):
        raise ValidationFailed(
            _("Use 1 to 30 letters, digits or underscores (no spaces or symbols)."),
            field="username",
            reason="invalid",
        )
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationFailed(_("That username is reserved."), field="username", reason="reserved")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(_("That username is taken."), field="username", reason="taken")
    return username


def _clean_email(email: str, *, account: User | None = None) -> str:
    """A valid address no other account has (`account` may keep its own)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            _("Enter a valid email address."), field="email", reason="invalid"
        ) from None
    others = User.objects.exclude(pk=account.pk) if account is not None else User.objects
    if others.filter(email__iexact=email).exists():
        raise ValidationFailed(
            _("An account with that email address already exists."), field="email", reason="taken"
        )
    return email


def _clean_display_name(value: str) -> str:
    value = clean_plain(value or "")
    if text_length(value) > DISPLAY_NAME_MAX:
        raise ValidationFailed(
            _("A display name can be at most %(max)d characters.") % {"max": DISPLAY_NAME_MAX},
            field="display_name",
            reason="too_long",
        )
    return value


def _clean_note(value: str) -> str:
    value = clean_plain(value or "", multiline=True)
    if text_length(value) > NOTE_MAX:
        raise ValidationFailed(
            _("A bio can be at most %(max)d characters.") % {"max": NOTE_MAX},
            field="note",
            reason="too_long",
        )
    return value


FIELDS_MAX = 4
FIELD_NAME_MAX = 255
FIELD_VALUE_MAX = 255
VISIBILITIES = ("public", "unlisted", "private")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _clean_fields(pairs: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Profile metadata: at most four name/value pairs of plain text; empty pairs dropped."""
    cleaned = []
    for pair in pairs:
        if not isinstance(pair, Mapping):
            raise ValidationFailed(
                _("Each profile field needs a name and a value."), field="fields", reason="invalid"
            )
        name = clean_plain(str(pair.get("name") or ""))
        value = clean_plain(str(pair.get("value") or ""))
        if not name and not value:
            continue
        if text_length(name) > FIELD_NAME_MAX or text_length(value) > FIELD_VALUE_MAX:
            raise ValidationFailed(
                _("A profile field's name and value can be at most %(max)d characters each.")
                % {"max": FIELD_VALUE_MAX},
                field="fields",
                reason="too_long",
            )
        cleaned.append({"name": name, "value": value})
    if len(cleaned) > FIELDS_MAX:
        raise ValidationFailed(
            _("A profile can have at most %(max)d fields.") % {"max": FIELDS_MAX},
            field="fields",
            reason="too_long",
        )
    return cleaned


def _clean_visibility(value: str) -> str:
    if value not in VISIBILITIES:
        raise ValidationFailed(
            _("The default visibility must be public, unlisted or private."),
            field="default_visibility",
            reason="inclusion",
        )
    return value


def _clean_language(value: str) -> str:
    value = (value or "").strip()
    if value and not LANGUAGE_RE.fullmatch(value):
        raise ValidationFailed(
            _("“%(code)s” is not a language code (such as en or zh).") % {"code": value[:20]},
            field="default_language",
            reason="invalid",
        )
    return value


def _clean_time_zone(value: str) -> str:
    value = (value or "").strip()
    if value and not timezones.is_zone(value):
        raise ValidationFailed(
            _("“%(zone)s” is not a time zone (such as Asia/Shanghai).") % {"zone": value[:40]},
            field="time_zone",
            reason="invalid",
        )
    return value


def _check_password(password: str, *, user: User, field: str) -> None:
    if not password:
        raise ValidationFailed(_("Choose a password."), field=field, reason="blank")
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        codes = {e.code for e in exc.error_list}
        reason = "too_short" if codes == {"password_too_short"} else "invalid"
        raise ValidationFailed(" ".join(exc.messages), field=field, reason=reason) from None


def _clean_locale(locale: str) -> str:
    """The site language nearest to `locale` ("zh-CN" is "zh-hans"); the default if none."""
    try:
        return translation.get_supported_language_variant((locale or "").strip().lower())
    except LookupError:
        return settings.LANGUAGE_CODE


def account_signup(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    locale: str = "",
    site_url: str = "",
) -> User:
    """A visitor signs up (the web page or the API), under the site's registration policy
    (settings.REGISTRATIONS): "open", the account works at once; "approval", it waits,
    inactive, until staff approve it (account_approve); "closed", sign-ups are refused.
    With settings.EMAIL_CONFIRMATION on it also waits until the address is confirmed: a
    link is emailed (in `locale`, pointing at `site_url` unless settings.SITE_URL is set)."""
    policy = getattr(settings, "REGISTRATIONS", "open")
    if policy == "closed":
        raise Forbidden(_("Sign-ups are closed on this server."), reason="closed")
    return account_create(
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        active=policy != "approval",
        confirmed=not settings.EMAIL_CONFIRMATION,
        locale=locale,
        site_url=site_url,
    )


def account_approve(*, account: User, by: User) -> User:
    """Staff let an account that signed up under the approval policy in."""
    if not by.is_staff:
        raise Forbidden(_("Only staff can approve sign-ups."))
    with transaction.atomic(durable=True):
        User.objects.filter(pk=account.pk).update(is_active=True)
    account.refresh_from_db(fields=["is_active"])
    return account


def account_create(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    active: bool = True,
    confirmed: bool = True,
    locale: str = "",
    site_url: str = "",
) -> User:
    """Create an account. Usernames are unique whatever their case; the password passes
    Django's validators. Refusals are ValidationFailed with `field` naming the input at fault
    and `details["reason"]` saying why (blank, invalid, reserved, taken, too_long, too_short).
    `confirmed=False` leaves the address unconfirmed and emails the link to confirm it."""
    username = _clean_username(username)
    email = _clean_email(email)
    display_name = _clean_display_name(display_name)
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        is_active=active,
        locale=_clean_locale(locale or settings.LANGUAGE_CODE),
    )
    if not confirmed:
        user.email_confirmed_at = None
        user.email_confirmation_requested_at = timezone.now()
    _check_password(password, user=user, field="password")
    user.set_password(password)
    try:
        with transaction.atomic(durable=True):
            user.save(force_insert=True)
            if not confirmed:
                _enqueue_confirmation_email(user, site_url=site_url)
    except IntegrityError:
        # Someone took the name (in another case) between our check and the insert.
        raise ValidationFailed(
            _("That username is taken."), field="username", reason="taken"
        ) from None
    return user


# Email confirmation -------------------------------------------------------------------

CONFIRMATION_RESEND_SECONDS = 60
_TOKEN_SALT = "storefeed.accounts.email-confirmation"


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def email_confirmation_token(account: User) -> str:
    """A signed, timestamped token naming the account and (by a digest) its current address:
    it stops working when the address changes or after settings.EMAIL_CONFIRMATION_HOURS."""
    return signing.dumps([account.pk, _email_digest(account.email)], salt=_TOKEN_SALT)


def _enqueue_confirmation_email(user: User, *, site_url: str) -> None:
    """Inside the writing transaction: with the database queue the task row commits with the
    request, or not at all."""
    from storefeed.accounts import tasks  # tasks imports this module

    assert user.email_confirmation_requested_at is not None
    tasks.send_confirmation_email.enqueue(
        user.pk,
        user.email_confirmation_requested_at.isoformat(),
        settings.SITE_URL or site_url.rstrip("/"),
    )


def email_confirmation_send(*, account_id: int, requested_at: str, site_url: str = "") -> bool:
    """Email the confirmation link asked for at `requested_at` (the task's work); returns
    whether an email went out. Runs once per request: a second run, a request superseded by a
    newer one (whose own task sends) or an account confirmed meanwhile sends nothing. The
    claim is written before sending and withdrawn if sending fails, so a retry sends again."""
    stamp = dt.datetime.fromisoformat(requested_at)
    sent_at = max(timezone.now(), stamp)
    claimed = (
        User.objects.filter(
            pk=account_id, email_confirmed_at__isnull=True, email_confirmation_requested_at=stamp
        )
        .filter(
            Q(email_confirmation_sent_at__isnull=True)
            | Q(email_confirmation_sent_at__lt=F("email_confirmation_requested_at"))
        )
        .update(email_confirmation_sent_at=sent_at)
    )
    if not claimed:
        return False
    user = User.objects.get(pk=account_id)
    made_at = timezone.now()  # the token's own time stamp is a moment later: never sooner
    link = (site_url or f"http://127.0.0.1:{settings.PORT}") + mail.confirmation_path(
        email_confirmation_token(user)
    )
    subject, body = mail.confirmation_email(user, link=link, sent_at=made_at)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        User.objects.filter(pk=account_id, email_confirmation_sent_at=sent_at).update(
            email_confirmation_sent_at=None
        )
        raise
    return True


def email_confirmation_resend(
    *, account: User, email: str | None = None, site_url: str = ""
) -> User:
    """Email a new confirmation link, first changing the (unconfirmed) address to `email` if
    given. Refused once the address is confirmed (EmailAlreadyConfirmed) and within
    CONFIRMATION_RESEND_SECONDS of the last link (ConfirmationTooSoon)."""
    if account.email_confirmed_at is not None:
        raise EmailAlreadyConfirmed(_("Your email address is already confirmed."))
    new_email = _clean_email(email, account=account) if email is not None else None
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=account.pk)
        if user.email_confirmed_at is not None:
            raise EmailAlreadyConfirmed(_("Your email address is already confirmed."))
        now = timezone.now()
        last = user.email_confirmation_requested_at
        if last is not None and (now - last).total_seconds() < CONFIRMATION_RESEND_SECONDS:
            wait = CONFIRMATION_RESEND_SECONDS - int((now - last).total_seconds())
            raise ConfirmationTooSoon(
                _("A link was sent less than a minute ago. Try again in %(seconds)d seconds.")
                % {"seconds": wait},
                retry_after=wait,
            )
        updated = ["email_confirmation_requested_at"]
        if new_email is not None and new_email != user.email:
            user.email = new_email
            updated.append("email")
        user.email_confirmation_requested_at = now
        user.save(update_fields=updated)
        _enqueue_confirmation_email(user, site_url=site_url)
    for name in updated:
        setattr(account, name, getattr(user, name))
    return user


def email_confirm(*, token: str) -> User:
    """Confirm the address a link was sent to. Refusals change nothing:
    ConfirmationLinkInvalid (reason "invalid" or "expired"), EmailAlreadyConfirmed."""
    try:
        account_id, digest = signing.loads(
            token or "",
            salt=_TOKEN_SALT,
            max_age=dt.timedelta(hours=settings.EMAIL_CONFIRMATION_HOURS),
        )
    except signing.SignatureExpired:
        raise ConfirmationLinkInvalid(
            _("This confirmation link has expired. Ask for a new one."), reason="expired"
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise ConfirmationLinkInvalid(
            _("This confirmation link is not valid."), reason="invalid"
        ) from None
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().filter(pk=account_id).first()
        if user is None or _email_digest(user.email) != digest:
            # The account is gone, or its address changed since the link was sent.
            raise ConfirmationLinkInvalid(
                _("This confirmation link is not valid."), reason="invalid"
            )
        if user.email_confirmed_at is not None:
            raise EmailAlreadyConfirmed(_("Your email address is already confirmed."))
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def email_confirm_by_staff(*, account: User, by: User) -> User:
    """Staff confirm an address by hand (the email never arrived, say)."""
    if not (by.is_active and by.is_staff):
        raise Forbidden(_("Only staff can confirm email addresses."))
    with transaction.atomic(durable=True):
        User.objects.filter(pk=account.pk, email_confirmed_at__isnull=True).update(
            email_confirmed_at=timezone.now()
        )
    account.refresh_from_db(fields=["email_confirmed_at"])
    return account


def profile_update(
    *,
    account: User,
    display_name: str | None = None,
    note: str | None = None,
    avatar: IO[bytes] | None = None,
    header: IO[bytes] | None = None,
    locked: bool | None = None,
    fields: Sequence[Mapping[str, Any]] | None = None,
    default_visibility: str | None = None,
    default_sensitive: bool | None = None,
    default_language: str | None = None,
    time_zone: str | None = None,
    bot: bool | None = None,
    discoverable: bool | None = None,
    hide_collections: bool | None = None,
) -> User:
    """Change what others see of an account, and its posting defaults. Arguments left as None
    stay as they are. Every input is checked before anything is written; images are checked
    and re-encoded before the transaction opens."""
    changes: dict[str, Any] = {}
    if display_name is not None:
        changes["display_name"] = _clean_display_name(display_name)
    if note is not None:
        changes["note"] = _clean_note(note)
    if locked is not None:
        changes["locked"] = bool(locked)
    if fields is not None:
        changes["fields"] = _clean_fields(fields)
    if default_visibility is not None:
        changes["default_visibility"] = _clean_visibility(default_visibility)
    if default_sensitive is not None:
        changes["default_sensitive"] = bool(default_sensitive)
    if default_language is not None:
        changes["default_language"] = _clean_language(default_language)
    if time_zone is not None:
        changes["time_zone"] = _clean_time_zone(time_zone)
    for flag, value in (
        ("bot", bot),
        ("discoverable", discoverable),
        ("hide_collections", hide_collections),
    ):
        if value is not None:
            changes[flag] = bool(value)
    stem = f"{account.pk}-{timezone.now():%Y%m%d%H%M%S}"
    new_avatar = images.process_avatar(avatar, stem=stem) if avatar is not None else None
    new_header = images.process_header(header, stem=stem) if header is not None else None

    old_files = []
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=account.pk)
        was_locked = user.locked
        for name, value in changes.items():
            setattr(user, name, value)
        updated = list(changes)
        for name, content in (("avatar", new_avatar), ("header", new_header)):
            if content is None:
                continue
            file_field = getattr(user, name)
            if file_field:
                old_files.append((file_field.storage, file_field.name))
            file_field.save(content.name, content, save=False)
            updated.append(name)
        if updated:
            user.save(update_fields=updated)
        if was_locked and user.locked is False:
            account_unlocked.send(sender=User, account_id=user.pk)

        def _remove_old() -> None:
            for storage, name in old_files:
                storage.delete(name)

        transaction.on_commit(_remove_old)
    # The caller's instance reflects the change too.
    for name in updated:
        setattr(account, name, getattr(user, name))
    return user


def profile_image_delete(*, account: User, which: str) -> User:
    """Remove the avatar or the header ("avatar" or "header"); the default image shows again.
    Not an error when there is none. The file goes once the change is committed."""
    if which not in ("avatar", "header"):
        raise ValidationFailed(_("Only the avatar or the header can be removed."), field=which)
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=account.pk)
        file_field = getattr(user, which)
        if file_field:
            storage, name = file_field.storage, file_field.name
            setattr(user, which, "")
            user.save(update_fields=[which])
            transaction.on_commit(lambda: storage.delete(name))
    setattr(account, which, getattr(user, which))
    return user


def _password_set(*, account: User, new_password: str, keep_apps: bool) -> None:
    """Set a new password. Every session made with the old one ends (Django's session hash
    changes with the password; the web layer keeps the caller's own), and unless `keep_apps`
    every OAuth token of the account is revoked, so apps must sign in again."""
    with transaction.atomic(durable=True):
        account.set_password(new_password)
        account.save(update_fields=["password"])
        if not keep_apps:
            _tokens_revoke(account)


def _tokens_revoke(account: User) -> None:
    from oauth2_provider.models import AccessToken, RefreshToken

    RefreshToken.objects.filter(user=account, revoked__isnull=True).update(revoked=timezone.now())
    AccessToken.objects.filter(user=account).delete()


def password_change(
    *, account: User, old_password: str, new_password: str, keep_apps: bool = False
) -> None:
    """Change a password, given the current one (see `_password_set` for what ends)."""
    if not throttle.password_check(
        account_id=account.pk, check=lambda: account.check_password(old_password or "")
    ):
        raise ValidationFailed(_("Your current password is not correct."), field="old_password")
    _check_password(new_password, user=account, field="new_password")
    if old_password == new_password:
        raise ValidationFailed(
            _("The new password must differ from the current one."), field="new_password"
        )
    _password_set(account=account, new_password=new_password, keep_apps=keep_apps)


# Reset requests emailed per hour, per client address and per email address: enough for a
# person who lost an email, too few to fill someone's mailbox.
PASSWORD_RESETS_PER_HOUR = 5


def password_reset_request(*, email: str, address: str | None, site_url: str = "") -> bool:
    """Email a link to set a new password to the active account using `email`, if there is
    one; the caller says the same thing either way. Returns whether a link was queued (for
    tests: never shown). Refused quietly past PASSWORD_RESETS_PER_HOUR."""
    email = email.strip()
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:40]
    counts = [limits.window_hit(f"reset-mail:{digest}", window=3600).used]
    if address:
        counts.append(limits.window_hit(f"reset-ip:{address}", window=3600).used)
    if max(counts) > PASSWORD_RESETS_PER_HOUR:
        return False
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    from storefeed.accounts.tasks import send_password_reset_email

    send_password_reset_email.enqueue(user.pk, settings.SITE_URL or site_url.rstrip("/"))
    return True


def password_reset_send(*, account_id: int, site_url: str = "") -> None:
    """Email the reset link (the task's work). The link's token is Django's: it stops
    working once the password changes, or after PASSWORD_RESET_TIMEOUT."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.filter(pk=account_id, is_active=True).first()
    if user is None:
        return
    made_at = timezone.now()
    link = (site_url or f"http://127.0.0.1:{settings.PORT}") + mail.password_reset_path(
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )
    subject, body = mail.password_reset_email(user, link=link, sent_at=made_at)
    send_mail(subject, body, None, [user.email])


def password_reset_complete(*, account: User, new_password: str, keep_apps: bool) -> None:
    """Set the password chosen through a reset link (the link's token was checked by the
    caller). Ends every session, revokes the apps' tokens unless `keep_apps`, and forgets
    the failed sign-ins counted against the account, so its owner can sign in at once."""
    _check_password(new_password, user=account, field="new_password")
    _password_set(account=account, new_password=new_password, keep_apps=keep_apps)
    throttle.sign_in_forget(account_id=account.pk)


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
