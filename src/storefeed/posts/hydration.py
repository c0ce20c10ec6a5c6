"""Extra hydration steps for pages of statuses, registered by packages above posts.

Commerce registers one that attaches product cards, so every path that hydrates statuses
(timelines, threads, profiles, the API) shows them, while posts itself knows nothing of
commerce and runs unchanged when commerce is switched off. Each step receives every status
instance on the page (including reposted and quoted ones) and the viewer, and must cost a
fixed number of queries whatever the page size.
"""

from collections.abc import Callable, Sequence
from typing import Any

Step = Callable[[Sequence[Any], Any], None]
_steps: list[Step] = []
# Readers of cached pages (posts.live) ask for the cards by post id instead: one query for
# any number of posts, giving each post's cards (only posts that have some).
CardsStep = Callable[[Sequence[int]], dict[int, list[Any]]]
_cards: list[CardsStep] = []


def register(step: Step) -> None:
    if step not in _steps:
        _steps.append(step)


def run(statuses: Sequence[Any], viewer: Any) -> None:
    for step in _steps:
        step(statuses, viewer)


def register_cards(step: CardsStep) -> None:
    if step not in _cards:
        _cards.append(step)


def cards(status_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The product cards of each of `status_ids`, as they are now (none without commerce)."""
    found: dict[int, list[Any]] = {}
    for step in _cards:
        for status_id, items in step(status_ids).items():
            found.setdefault(status_id, []).extend(items)
    return found


# Pages that showed posts with product cards report them once per page, with the reader's
# account id (None for a visitor) and (shown post id, its author's id) pairs: commerce's
# insight counts impressions from that. A step must be cheap (no I/O on the request) and
# must never fail the page.
ShownStep = Callable[[Any, int | None, Sequence[tuple[int, int]]], None]
_shown: list[ShownStep] = []


def register_shown(step: ShownStep) -> None:
    if step not in _shown:
        _shown.append(step)


def shown(request: Any, viewer_id: int | None, posts: Sequence[tuple[int, int]]) -> None:
    """`request` showed `posts` (shown post id, author id), each with its product cards, to
    the account `viewer_id` (the API's token holder, the web's signed-in account)."""
    if not posts:
        return
    for step in _shown:
        step(request, viewer_id, posts)
