"""Mastodon.py against `storefeed serve`: the profile directory, follow suggestions (v1, v2,
dismissing one) and trends (tags, statuses, links), as a client app calls them."""

from django.utils import timezone

from storefeed.accounts.models import ExpertField
from storefeed.discovery import services
from storefeed.discovery.trends import trends_refresh
from storefeed.posts.services import status_create, status_reblog
from storefeed.social.services import follow_create
from tests.clients.conftest import _signs_in_on_the_server, mastodon_for
from tests.conftest import make_user


def _expert(username: str, field: str):
    # Each test's database is flushed afterwards, the migration's fields with it.
    expert_field, _created = ExpertField.objects.get_or_create(
        slug=field, defaults={"name_en": field.title(), "name_zh": field}
    )
    return _signs_in_on_the_server(
        make_user(
            username,
            expert_field=expert_field,
            expert_verified_at=timezone.now(),
        )
    )


def test_directory_and_suggestions(masto_for, alice, bob):
    beauty = _expert("lipstick_li", "beauty")
    _expert("gadget_gu", "tech")
    status_create(account=beauty, text="Swatches")
    follow_create(follower=bob, target=beauty)
    services.interests_set(account=alice, field_slugs=["tech"])  # made by _expert above
    services.expert_ranks_refresh()
    masto = masto_for(alice)

    active = masto.directory(order="active")
    assert [a.username for a in active] == ["lipstick_li"]
    assert active[0].expert.field == "beauty"
    newest = masto.directory(order="new", limit=2)
    assert [a.username for a in newest] == ["gadget_gu", "lipstick_li"]
    assert [a.username for a in masto.directory(order="new", offset=2)] == ["bob", "alice"]

    suggested = masto.suggestions_v2()
    assert suggested[0].account.username == "gadget_gu"
    assert suggested[0].sources == ["featured"]
    # lipstick_li is the most followed (bob follows her); bob has no followers.
    assert {s.account.username for s in suggested} == {"gadget_gu", "lipstick_li"}
    assert masto.suggestions()[0].username == "gadget_gu"
    masto.suggestion_delete(suggested[0].account)
    assert "gadget_gu" not in [a.username for a in masto.suggestions_v1()]


def test_trends_tags_statuses_and_links(masto_for, base_url, alice):
    expert = _expert("lipstick_li", "beauty")
    post = status_create(account=expert, text="New shade #口红")
    quiet = status_create(account=expert, text="Quiet one")
    fans = [make_user(f"fan{n}") for n in range(3)]
    for fan in fans:
        status_reblog(account=fan, status_id=post.pk)
        status_create(account=fan, text="Love it #口红")
    status_reblog(account=fans[0], status_id=quiet.pk)
    trends_refresh()  # what the worker runs every minute

    masto = masto_for(alice)
    tags = masto.trending_tags()
    assert [t.name for t in tags] == ["口红"]
    assert tags[0].history[0].accounts == "4"  # strings, as Mastodon sends them
    statuses = masto.trending_statuses()
    assert [str(s.id) for s in statuses] == [str(post.pk), str(quiet.pk)]
    assert statuses[0].trend_reason == "3 reposts in the last 2 hours"
    assert str(masto.trending_statuses(limit=1, offset=1)[0].id) == str(quiet.pk)
    assert masto.trending_links() == []  # nothing sold
    anonymous = mastodon_for(base_url, lang="zh")
    assert anonymous.trending_statuses()[0].trend_reason == "近2小时转发 3 次"
    assert [t.name for t in anonymous.trends()] == ["口红"]
