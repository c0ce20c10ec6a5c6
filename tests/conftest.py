"""Shared fixtures: small named accounts and clients. Package conftests add their own."""

import pytest
from django.test import Client


def make_user(username: str, **extra):
    from storefeed.accounts.models import User

    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password="correct-horse-9", **extra
    )


@pytest.fixture
def alice(db):
    return make_user("alice", display_name="Alice")


@pytest.fixture
def bob(db):
    return make_user("bob", display_name="Bob")


@pytest.fixture
def carol(db):
    return make_user("carol", display_name="Carol")


@pytest.fixture
def client_for():
    def _client(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client
