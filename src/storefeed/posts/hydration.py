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


def register(step: Step) -> None:
    if step not in _steps:
        _steps.append(step)


def run(statuses: Sequence[Any], viewer: Any) -> None:
    for step in _steps:
        step(statuses, viewer)
