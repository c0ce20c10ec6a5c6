"""`storefeed demo` builds a living network once, through the services, and then stays put.

The command takes seconds, so it runs once for the class (setUpTestData, rolled back at the
end) and every test reads what it built.
"""

import io

from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client, TestCase

from storefeed.accounts.models import User
from storefeed.demo import DEMO_LOGINS, data
from storefeed.notifications.models import Notification
from storefeed.posts.models import (
    Bookmark,
    Favourite,
    MediaAttachment,
    Mention,
    Pin,
    PollVote,
    Status,
    Tag,
)
from storefeed.social.models import Follow, FollowRequest
from storefeed.timelines.models import HomeEntry
from storefeed.timelines.selectors import home_timeline


def run_demo() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict[str, object]:
    """Everything the demo writes, counted, plus the counters it must keep exact."""
    models = (
        User, Follow, FollowRequest, Status, MediaAttachment, Favourite, Bookmark, Pin,
        PollVote, Notification, HomeEntry, Tag, Mention,
    )  # fmt: skip
    counts: dict[str, object] = {m.__name__: m.objects.count() for m in models}
    counts["counters"] = sorted(
        User.objects.values_list("pk", "followers_count", "following_count", "statuses_count")
    )
    counts["status counters"] = sorted(
        Status.objects.values_list("pk", "replies_count", "reblogs_count", "favourites_count")
    )
    return counts


class DemoCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.out, cls.err = run_demo()

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def test_reports_what_it_created_with_a_progress_bar(self):
        assert "Demo data loaded" in self.out
        assert "1,200 fans" in self.out
        assert "demo" in self.out  # the sign-ins are printed
        assert "Demo: posts" in self.err  # the bar's last label
        assert "Skipped" not in self.err  # no service refused anything

    def test_second_run_changes_nothing_and_says_so(self):
        before = snapshot()
        out, err = run_demo()
        assert "already loaded; nothing changed" in out
        assert "Skipped" not in err
        assert snapshot() == before

    def test_demo_fans_home_timeline_has_images_reposts_and_replies(self):
        page = home_timeline(viewer=self.user("demo"), limit=40)
        assert len(page) >= 30  # a full page (reposts of posts already there are skipped)
        originals = [s.reblog_of or s for s in page]
        assert any(len(s.media_list) >= 2 for s in originals)
        reposts = [s for s in page if s.reblog_of is not None]
        assert {s.account.username for s in reposts} - {"demo"}, "reposts by people followed"
        replies = [s for s in page if s.in_reply_to_id is not None]
        assert replies
        assert any(s.quote_of_id is not None for s in page)
        assert any(s.favourites_count > 0 for s in originals)
        authors = {s.account.username for s in originals}
        assert {"lily", "foodie_wang", "chen_tech"} <= authors

    def test_experts_have_over_a_thousand_followers_and_exact_counts(self):
        lily, anna = self.user("lily"), self.user("anna_style")
        assert lily.followers_count >= 1000
        assert anna.followers_count >= 1000
        assert self.user("chen_tech").followers_count < 1000  # not every expert qualifies
        # Every account's stored counters equal the rows they count.
        followers = dict(Follow.objects.values_list("target").annotate(n=Count("id")))
        following = dict(Follow.objects.values_list("follower").annotate(n=Count("id")))
        mismatched = [
            username
            for pk, username, n_followers, n_following in User.objects.values_list(
                "pk", "username", "followers_count", "following_count"
            )
            if (n_followers, n_following) != (followers.get(pk, 0), following.get(pk, 0))
        ]
        assert mismatched == []
        assert lily.followers_count == Follow.objects.filter(target=lily).count()

    def test_experts_are_verified_in_several_fields_by_staff(self):
        experts = User.objects.filter(expert_verified_at__isnull=False)
        fields = set(experts.values_list("expert_field__slug", flat=True))
        assert {"beauty", "fashion", "tech", "food", "travel", "fitness"} <= fields
        assert self.user("lily").is_expert
        staff = self.user("admin")
        assert staff.is_staff
        assert staff.is_superuser

    def test_named_accounts_have_bilingual_profiles_and_the_fans_cannot_sign_in(self):
        named = User.objects.filter(username__in=[p.username for p in data.PEOPLE])
        assert named.count() == len(data.PEOPLE)
        assert not named.filter(Q(avatar="") | Q(header="") | Q(note="")).exists()
        names = " ".join(named.values_list("display_name", flat=True))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in names)
        assert any(ch.isascii() and ch.isalpha() for ch in names)
        fans = User.objects.filter(username__startswith="fan")
        assert fans.count() == data.FAN_COUNT
        assert not any(f.has_usable_password() for f in fans[:50])

    def test_demo_sign_ins_work(self):
        for username, password, description in DEMO_LOGINS:
            assert description
            assert Client().login(username=username, password=password), username

    def test_locked_account_has_a_pending_follow_request(self):
        xiaoyu, demo = self.user("xiaoyu"), self.user("demo")
        assert xiaoyu.locked
        assert FollowRequest.objects.filter(account=demo, target=xiaoyu).exists()
        assert not Follow.objects.filter(follower=demo, target=xiaoyu).exists()
        assert Follow.objects.filter(follower__username="weiwei", target=xiaoyu).exists()
        assert Notification.objects.filter(
            recipient=xiaoyu, actor=demo, type="follow_request"
        ).exists()

    def test_posts_carry_tags_mentions_links_and_up_to_nine_images(self):
        keys = set(Tag.objects.values_list("key", flat=True))
        assert {"美妆", "ootd", "旅行", "科技"} <= keys
        assert Mention.objects.filter(account__username="demo").exists()
        assert Status.objects.filter(content__contains='href="https://example.com/').exists()
        per_post = MediaAttachment.objects.values("status").annotate(n=Count("id")).order_by("-n")
        assert per_post[0]["n"] == 9
        assert not MediaAttachment.objects.filter(status__isnull=True).exists()
        assert Status.objects.filter(language="zh").exists()
        assert Status.objects.filter(language="en").exists()
        assert Status.objects.filter(visibility="private").exists()
        assert Status.objects.exclude(spoiler_text="").exists()

    def test_pins_bookmarks_likes_and_polls(self):
        pin = Pin.objects.select_related("status").get(account__username="lily")
        assert pin.status.media.count() == 9
        assert Bookmark.objects.filter(account__username="demo").count() >= 3
        liked = Status.objects.get(pk=pin.status_id)
        assert liked.favourites_count == Favourite.objects.filter(status=liked).count() > 40
        assert PollVote.objects.count() > 0

    def test_notifications_follow_from_what_happened(self):
        types = set(
            Notification.objects.filter(recipient__username="demo").values_list("type", flat=True)
        )
        assert {"follow", "mention", "favourite", "reblog"} <= types
        assert Notification.objects.filter(recipient__username="lily", type="favourite").exists()
