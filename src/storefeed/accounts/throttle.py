"""Sign-in throttling: every check of a sign-in password (the web sign-in, OAuth's password
grant, the admin's sign-in, and the password a signed-in person re-enters) counts against
the account and, where it is known, the client's address, in counters every process and
machine shares (`core.limits`).

- The address's counter bites first (STOREFEED_SIGNIN_ADDRESS_FREE failures, 10 by default),
  and its wait grows to an hour: one address guessing many passwords soon stops.
- The account's counter has more free attempts (STOREFEED_SIGNIN_ACCOUNT_FREE, 20) and its
  wait stops growing at five minutes, so strangers guessing from many addresses slow the
  guessing down without keeping the owner out for long.
- Each wait doubles from a second. A refused attempt is not counted and checks no password.
- The same counters and answers whether the account exists or not: a login that names no
  account has a counter of its own, keyed by the login's text.
- A right password forgets the account's failures and takes that attempt back from the
  address (lifting its wait), so people behind one address do not lock each other out.
"""

import hashlib
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefeed.core import limits
from storefeed.core.errors import DomainError

HOUR = 3600.0


class SignInThrottled(DomainError):
    code = "throttled"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(wait_message(retry_after), retry_after=retry_after)
        self.retry_after = retry_after


def wait_message(seconds: int) -> str:
    if seconds < 60:
        wait = ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    else:
        minutes = -(-seconds // 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return _("Too many sign-in attempts. Try again in %(wait)s.") % {"wait": wait}


def account_key(*, account_id: int | None, login: str) -> str:
    """What the account's counter is keyed by: the account, or the text of a login that
    names none (hashed: counters are not a list of who tried what)."""
    if account_id is not None:
        return f"a{account_id}"
    digest = hashlib.sha256(login.strip().lstrip("@").lower().encode()).hexdigest()[:40]
    return f"l{digest}"


def _address_key(address: str) -> str:
    """An IPv4 address, or the /64 an IPv6 address is in (one machine's usual share)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _counters(key: str, address: str | None) -> tuple[limits.Backoff, limits.Backoff | None]:
    account = limits.Backoff(
        name=f"signin:{key}",
        free=settings.SIGNIN_ACCOUNT_FREE,
        base=1.0,
        cap=settings.SIGNIN_ACCOUNT_MAX_WAIT,
        forget=HOUR,
    )
    by_address = (
        limits.Backoff(
            name=f"signin-ip:{_address_key(address)}",
            free=settings.SIGNIN_ADDRESS_FREE,
            base=1.0,
            cap=settings.SIGNIN_ADDRESS_MAX_WAIT,
            forget=HOUR,
        )
        if address
        else None
    )
    return account, by_address


def sign_in_attempt(*, key: str, address: str | None) -> None:
    """Count an attempt to check a password, or refuse it (SignInThrottled)."""
    account, by_address = _counters(key, address)
    waited = limits.backoff_attempt([c for c in (by_address, account) if c is not None])
    if waited > 0:
        raise SignInThrottled(limits.seconds_text(waited))


def sign_in_succeeded(*, key: str, address: str | None) -> None:
    account, by_address = _counters(key, address)
    limits.backoff_succeeded(clear=[account], undo=[by_address] if by_address else [])


def password_check(*, account_id: int, check: Callable[[], bool]) -> bool:
    """A signed-in person's password checked again (to change it, to set a payment PIN):
    counted against the account like a sign-in, so a stolen session or token cannot guess
    it without limit. `check()` does the checking; raises SignInThrottled instead of
    calling it when the account must wait."""
    key = account_key(account_id=account_id, login="")
    sign_in_attempt(key=key, address=None)
    if not check():
        return False
    sign_in_succeeded(key=key, address=None)
    return True


def sign_in_forget(*, account_id: int) -> None:
    """Forget the failed sign-ins counted against an account (its password was reset)."""
    account, _by_address = _counters(account_key(account_id=account_id, login=""), None)
    limits.backoff_succeeded(clear=[account])
