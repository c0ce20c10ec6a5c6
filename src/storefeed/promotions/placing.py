"""The home read's one lookup: the promoted post waiting on top of this reader's home.

A reader with nothing waiting (nearly everyone, nearly always) costs one indexed SELECT on
the partial index of waiting placements. One with a placement waiting gets it once: a
conditional UPDATE marks it shown, and only the request whose UPDATE counted shows it.
Placements of promotions no longer active, or of sellers the reader hides, are passed over.
"""

from django.utils import timezone

from storefeed.core import sql
from storefeed.promotions.models import HiddenSeller, Placement, Promotion, PromotionState
from storefeed.social.models import Block, Mute
from storefeed.timelines.promoted import Top


def _lookup() -> str:
    """The reader's next placement still to show, leaving out sellers the reader hid, blocked,
    was blocked by or muted since it was written (placements are written ahead of reads)."""
    p, pr, h = sql.table(Placement), sql.table(Promotion), sql.table(HiddenSeller)
    blocks, mutes = sql.table(Block), sql.table(Mute)
    return (
        f"SELECT p.id, pr.id, pr.status_id, pr.seller_id FROM {p} p "  # noqa: S608
        f"JOIN {pr} pr ON pr.id = p.promotion_id "
        "WHERE p.owner_id = %s AND p.shown_at IS NULL AND pr.state = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {h} h WHERE h.account_id = %s "
        "AND h.seller_id = pr.seller_id) "
        f"AND NOT EXISTS (SELECT 1 FROM {blocks} b WHERE (b.account_id = %s "
        "AND b.target_id = pr.seller_id) OR (b.account_id = pr.seller_id AND b.target_id = %s)) "
        f"AND NOT EXISTS (SELECT 1 FROM {mutes} m WHERE m.account_id = %s "
        "AND m.target_id = pr.seller_id AND (m.expires_at IS NULL OR m.expires_at > %s)) "
        "ORDER BY p.id LIMIT 1"
    )


def take_top_slot(viewer_id: int) -> Top | None:
    """timelines.promoted's step: the promoted post for `viewer_id`'s home now, marked shown."""
    now = timezone.now()
    moment = sql.datetime_param(now)
    params = [viewer_id, PromotionState.ACTIVE, viewer_id, viewer_id, viewer_id, viewer_id, moment]
    rows = sql.rows(_lookup(), params)
    if not rows:
        return None
    placement_id, promotion_id, status_id, seller_id = rows[0]
    taken = Placement.objects.filter(pk=placement_id, shown_at__isnull=True).update(shown_at=now)
    if not taken:  # another request of the same reader showed it just now
        return None
    return Top(status_id=status_id, promotion_id=promotion_id, seller_id=seller_id)
