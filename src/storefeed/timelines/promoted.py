"""The home's top slot: a package above timelines (commerce's promotions) registers a step
that may give a reader's first page of home one post to show on top, once.

Timelines knows nothing of promotions and runs unchanged without them (commerce off): with no
step registered `top_of_home` costs nothing. A step costs the home read at most one cheap
lookup (and, when it has a post for the reader, the write that marks it shown), and must
never fail the page.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Top:
    status_id: int
    promotion_id: int  # what the Status entity names (Storefeed's `promoted`)
    seller_id: int


TopStep = Callable[[int], Top | None]
_steps: list[TopStep] = []


def register(step: TopStep) -> None:
    if step not in _steps:
        _steps.append(step)


def top_of_home(viewer_id: int) -> Top | None:
    """The post to put on top of `viewer_id`'s first page of home now, if any (given once:
    the step records that it was shown)."""
    for step in _steps:
        try:
            found = step(viewer_id)
        except Exception:  # a promotion must never cost anyone their home
            log.exception("the home's top slot failed for %s", viewer_id)
            continue
        if found is not None:
            return found
    return None
