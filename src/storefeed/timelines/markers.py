"""Read positions (Mastodon's markers): saving and reading where an account stopped reading its
home and notifications."""

from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import ValidationFailed
from storefeed.core.parse import id_or_none
from storefeed.timelines.models import Marker, MarkerTimeline


def _timeline(name: str) -> str:
    if name not in MarkerTimeline.values:
        raise ValidationFailed(
            _("“%(name)s” is not a timeline; use home or notifications.") % {"name": name},
            field="timeline",
        )
    return name


def _position(timeline: str, value: object) -> int:
    # 0 is a position too (nothing read yet); otherwise an id (core.parse).
    position = 0 if value in ("0", 0) and not isinstance(value, bool) else id_or_none(value)
    if position is None:
        raise ValidationFailed(
            _("The last read id of %(timeline)s must be a post or notification id.")
            % {"timeline": timeline},
            field=f"{timeline}[last_read_id]",
        )
    return position


def markers_save(*, account: User, positions: Mapping[str, object]) -> list[Marker]:
    """Save the last read id of each timeline named in `positions` (home, notifications).
    Every value is checked before anything is written. A changed position bumps `version`;
    sending the same one again changes nothing, as in Mastodon."""
    wanted = {_timeline(name): _position(name, value) for name, value in positions.items()}
    with transaction.atomic(durable=True):
        saved = []
        for timeline, last_read_id in sorted(wanted.items()):
            marker = Marker.objects.filter(account=account, timeline=timeline).first()
            if marker is None:
                try:
                    with transaction.atomic():
                        marker = Marker.objects.create(
                            account=account, timeline=timeline, last_read_id=last_read_id
                        )
                except IntegrityError:  # another app saved it at the same moment
                    marker = Marker.objects.get(account=account, timeline=timeline)
            if marker.last_read_id != last_read_id:
                Marker.objects.filter(pk=marker.pk).update(
                    last_read_id=last_read_id, version=F("version") + 1, updated_at=timezone.now()
                )
                marker.refresh_from_db()
            saved.append(marker)
        return saved


def markers_for(*, account: User, timelines: Iterable[str]) -> list[Marker]:
    """The account's saved positions for `timelines` (refused if one is not a timeline)."""
    names = [_timeline(str(name)) for name in timelines]
    return list(Marker.objects.filter(account=account, timeline__in=names).order_by("timeline"))
