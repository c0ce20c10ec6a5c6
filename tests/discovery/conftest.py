"""Fixtures for discovery: experts in fields, a crowd of fans, and an API client."""

import pytest
from django.utils import timezone

from tests.api.conftest import api_client, oauth_app  # noqa: F401
from tests.conftest import make_user


def make_expert(username: str, field_slug: str, **extra):
    from storefeed.accounts.models import ExpertField

    return make_user(
        username,
        expert_field=ExpertField.objects.get(slug=field_slug),
        expert_verified_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def expert_factory(db):
    return make_expert


@pytest.fixture
def crowd(db):
    """crowd(n, prefix) -> n plain accounts."""

    def _crowd(n: int, prefix: str = "fan"):
        return [make_user(f"{prefix}{i}") for i in range(n)]

    return _crowd


@pytest.fixture
def anon():
    from django.test import Client

    return Client()
