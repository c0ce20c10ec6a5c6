"""The life cycles of top-ups and withdrawals, as declared maps of legal transitions, and the
one `transition()` helper that moves a row along them (and refuses the rest)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from storefeed.core.errors import Conflict
from storefeed.wallet.errors import WalletError

TOPUP_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"confirmed", "failed"}),
    "confirmed": frozenset(),
    "failed": frozenset(),
}
WITHDRAWAL_TRANSITIONS: dict[str, frozenset[str]] = {
    "processing": frozenset({"completed", "failed"}),
    "completed": frozenset(),
    "failed": frozenset(),
}


def transition(
    obj: models.Model, transitions: dict[str, frozenset[str]], to: str, **fields: Any
) -> None:
    """Move `obj` (with a `state` field) to `to`, writing `fields` with it. The UPDATE is
    conditional on the state read, so two requests racing on one row move it once."""
    current: str = obj.state  # type: ignore[attr-defined]
    if to not in transitions.get(current, frozenset()):
        raise WalletError(
            _("This cannot go from %(current)s to %(to)s.") % {"current": current, "to": to},
            state=current,
        )
    model = type(obj)
    updated = model._default_manager.filter(pk=obj.pk, state=current).update(state=to, **fields)
    if updated != 1:
        raise Conflict(_("This changed meanwhile; reload and try again."), state=current)
    obj.state = to  # type: ignore[attr-defined]
    for name, value in fields.items():
        setattr(obj, name, value)
