"""The follower counts stay exact when many follows and unfollows race (PostgreSQL only:
SQLite serialises every writer, so there is no race to lose there)."""

import contextlib
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from storefeed.accounts.models import User
from storefeed.core.errors import Conflict
from storefeed.social.models import Follow
from storefeed.social.services import follow_create, follow_delete
from tests.conftest import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Run the jobs in threads released at the same instant; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_counts_exact(users: list[User]) -> None:
    for user in users:
        user.refresh_from_db()
        assert user.followers_count == Follow.objects.filter(target=user).count(), user
        assert user.following_count == Follow.objects.filter(follower=user).count(), user


def test_concurrent_follows_and_unfollows_keep_counts_exact():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race")
    star = make_user("star")
    fans = [make_user(f"fan{i}") for i in range(6)]
    rounds = 8

    def churn(fan: User) -> Callable[[], None]:
        def job() -> None:
            for _ in range(rounds):
                # Conflict: the twin thread got there first, a refused duplicate.
                with contextlib.suppress(Conflict):
                    follow_create(follower=fan, target=star)
                follow_delete(follower=fan, target=star)
                with contextlib.suppress(Conflict):
                    follow_create(follower=fan, target=star)

        return job

    def star_follows_back(fan: User) -> Callable[[], None]:
        # The other direction at the same time, so the two accounts' rows are locked by
        # transactions coming from both sides.
        def job() -> None:
            for _ in range(rounds):
                with contextlib.suppress(Conflict):
                    follow_create(follower=star, target=fan)
                follow_delete(follower=star, target=fan)

        return job

    # Two threads per fan race on the very same edge; the star works the reverse edges.
    jobs = [churn(fan) for fan in fans] + [churn(fan) for fan in fans]
    jobs += [star_follows_back(fan) for fan in fans[:3]]
    errors = run_together(jobs)
    assert errors == []

    everyone = [star, *fans]
    assert_counts_exact(everyone)
    # Every churn ends on a follow, so each fan follows the star exactly once.
    assert Follow.objects.filter(target=star).count() == len(fans)
    star.refresh_from_db()
    assert star.followers_count == len(fans)
    assert star.following_count == 0


def test_duplicate_follow_requests_at_once_count_one():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race")
    star = make_user("star")
    fan = make_user("fan")
    outcomes: list[str] = []

    def job() -> None:
        try:
            outcomes.append(follow_create(follower=fan, target=star))
        except Conflict:
            outcomes.append("conflict")

    errors = run_together([job] * 8)
    assert errors == []
    assert sorted(outcomes) == ["conflict"] * 7 + ["following"]
    assert Follow.objects.count() == 1
    assert_counts_exact([star, fan])
