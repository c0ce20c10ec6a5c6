"""Reads of accounts: by name, search, the expert fields, email confirmation."""

from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from django.conf import settings

from storefeed.accounts.models import ExpertField, User
from storefeed.accounts.search import account_search_ids
from storefeed.core import fulltext
from storefeed.core.parse import lookup_id


def local_username(acct: str, hosts: Iterable[str]) -> str | None:
    """The username an address names when it is one of ours: `user`, `@user`, `user@host`,
    `@user@host` or `acct:user@host`, with `host` one of `hosts` (in any case, with or
    without a trailing dot); None for an empty address or another host (Storefeed does not
    federate)."""
    acct = (acct or "").strip().removeprefix("acct:").lstrip("@")
    name, sep, domain = acct.partition("@")
    if sep and domain.lower().rstrip(".") not in {h.lower() for h in hosts if h}:
        return None
    return name or None


def account_by_username(username: str) -> User | None:
    """The active account with that username, whatever the case (a leading @ is ignored)."""
    username = (username or "").strip().lstrip("@")
    if not username:
        return None
    return (
        User.objects.select_related("expert_field")
        .filter(username__iexact=username, is_active=True)
        .first()
    )


def account_by_id(account_id: int | str | None) -> User | None:
    """The active account with that id; None for an unknown or malformed id."""
    try:
        pk = lookup_id(account_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 1 << 63:
        return None
    return User.objects.select_related("expert_field").filter(pk=pk, is_active=True).first()


def accounts_by_ids(ids: list[int]) -> list[User]:
    """The active accounts with those ids, in the order given (unknown ids left out); one
    query."""
    found = User.objects.select_related("expert_field").filter(pk__in=ids, is_active=True)
    by_id = {user.pk: user for user in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def local_hosts(request_host: str) -> set[str]:
    """The names this site answers to in an account's address: the request's host (with and
    without its port) and STOREFEED_SITE_URL's."""
    bare = request_host if request_host.endswith("]") else request_host.rsplit(":", 1)[0]
    hosts = {request_host, bare}
    if settings.SITE_URL:
        site = urlsplit(settings.SITE_URL)
        hosts |= {site.netloc, site.hostname or ""}
    return {h for h in hosts if h}


def account_search(
    *, query: str, limit: int = 20, among: Collection[int] | None = None
) -> list[User]:
    """Accounts and shops found by full text (accounts/search.py: username, display name,
    bio, a seller's shop name; Chinese and English alike): the exact username first, then
    the most followed. Only those in `among` when given (the accounts one follows, say).
    More than 200 characters is a ValidationFailed (422)."""
    parsed = fulltext.parse(query)
    username = parsed.text.strip().lstrip("@").split("@")[0]
    ids = account_search_ids(query=parsed, username=username, limit=limit, among=among)
    found = User.objects.select_related("expert_field").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def expert_fields() -> list[ExpertField]:
    return list(ExpertField.objects.all())


def email_confirmation_pending(account: User) -> bool:
    """Whether the account must confirm its address before it may use its tokens or sign in
    on the web: confirmation is switched on and the address is not confirmed yet. (Switching
    it off lets waiting accounts in; accounts made while it was off count as confirmed.)"""
    return bool(settings.EMAIL_CONFIRMATION) and account.email_confirmed_at is None


def account_awaiting_approval(account: User) -> bool:
    """A sign-up waiting for staff: inactive, never signed in, while sign-ups need approval."""
    return (
        not account.is_active
        and settings.REGISTRATIONS == "approval"
        and account.last_login is None
    )


def account_entry_refusal(account: User) -> str | None:
    """Why the account may not use its tokens or sign in, as a code, in Mastodon's order (its
    `require_user!`): "disabled", then "unconfirmed" (an address awaiting confirmation), then
    "pending" (a sign-up awaiting approval); None when it may."""
    waiting = account_awaiting_approval(account)
    if not account.is_active and not waiting:
        return "disabled"
    if email_confirmation_pending(account):
        return "unconfirmed"
    return "pending" if waiting else None


def account_awaiting_confirmation(account_id: int | str | None) -> User | None:
    """The account with that id if its address is not confirmed yet (active or not: a sign-up
    may wait for approval too); None otherwise."""
    try:
        pk = lookup_id(account_id)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, email_confirmed_at__isnull=True).first()
