"""Fixtures for the social tests: a recorder of the social signals."""

from collections.abc import Iterator

import pytest

from storefeed.social import signals


@pytest.fixture
def sent() -> Iterator[list[tuple[str, int, int]]]:
    """Every social signal sent during the test, as (name, account_id, target_id)."""
    events: list[tuple[str, int, int]] = []
    receivers = []
    for name in ("follow_created", "follow_deleted", "block_created", "mute_created"):

        def receiver(sender, *, account_id, target_id, _name=name, **kwargs):
            events.append((_name, account_id, target_id))

        getattr(signals, name).connect(receiver, weak=False)
        receivers.append((name, receiver))
    yield events
    for name, receiver in receivers:
        getattr(signals, name).disconnect(receiver)
