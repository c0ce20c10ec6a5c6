"""Polls on the web: a reader who has not voted sees the options and votes; then (and once the
poll ends, and for its author) the results with their share of the votes."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from storefeed.posts.models import PollVote
from storefeed.posts.services import PollSpec

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll_post(alice, post):
    return post(
        alice,
        "What should I review next?",
        poll=PollSpec(["Lipstick", "Blush", "Mascara"], expires_in=3600),
    )


def poll_html(page: str) -> str:
    start = page.index('data-testid="poll"')
    return page[start : page.index("</div>", start)]


def test_a_reader_votes_and_then_sees_the_results(bob_client, bob, poll_post):
    page = bob_client.get(f"/@alice/{poll_post.pk}").content.decode()
    poll = poll_html(page)
    assert 'type="radio" name="choices" value="1"' in poll and "Blush" in poll
    assert 'data-testid="poll-vote"' in poll
    done = bob_client.post(
        f"/statuses/{poll_post.pk}/vote", {"choices": ["1"], "next": f"/@alice/{poll_post.pk}"}
    )
    assert done.status_code == 302
    assert list(PollVote.objects.values_list("account_id", "choice")) == [(bob.pk, 1)]
    poll = poll_html(bob_client.get(f"/@alice/{poll_post.pk}").content.decode())
    assert 'data-testid="poll-vote"' not in poll
    assert "100%" in poll and 'data-testid="poll-mine"' in poll
    assert "1 person voted" in poll


def test_voting_twice_or_for_nothing_is_refused_and_changes_nothing(bob_client, poll_post):
    empty = bob_client.post(f"/statuses/{poll_post.pk}/vote", {}, follow=True)
    assert "Choose one of the poll" in empty.content.decode()
    bogus = bob_client.post(f"/statuses/{poll_post.pk}/vote", {"choices": ["7"]}, follow=True)
    assert "Choose one of the poll" in bogus.content.decode()
    assert not PollVote.objects.exists()
    bob_client.post(f"/statuses/{poll_post.pk}/vote", {"choices": ["0"]})
    again = bob_client.post(f"/statuses/{poll_post.pk}/vote", {"choices": ["2"]}, follow=True)
    assert "already voted" in again.content.decode()
    assert PollVote.objects.count() == 1


def test_the_author_and_visitors_see_results_and_an_ended_poll_shows_final(
    alice_client, client, poll_post
):
    own = poll_html(alice_client.get(f"/@alice/{poll_post.pk}").content.decode())
    assert 'data-testid="poll-results"' in own and "ends in" in own
    visitor = poll_html(client.get(f"/@alice/{poll_post.pk}").content.decode())
    assert "Sign in to vote" in visitor and 'data-testid="poll-vote"' not in visitor
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        ended = poll_html(client.get(f"/@alice/{poll_post.pk}").content.decode())
    assert "Final results" in ended and "Sign in to vote" not in ended


def test_polls_show_on_the_home_timeline_in_chinese(bob, bob_client, alice, poll_post):
    from storefeed.social.services import follow_create

    follow_create(follower=bob, target=alice)
    bob_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    home = bob_client.get("/").content.decode()
    assert "Mascara" in poll_html(home) and "投票" in poll_html(home)


def test_a_post_without_a_poll_has_no_vote_address(bob_client, alice, post):
    status = post(alice, "No poll here")
    assert bob_client.post(f"/statuses/{status.pk}/vote", {"choices": ["0"]}).status_code == 404
