"""`storefeed demo` builds a living network once, through the services, and then stays put:
the microblog, and (commerce being on in the tests) the shops, wallets and orders.

The command takes seconds, so it runs once for the class (setUpTestData, rolled back at the
end) and every test reads what it built. With commerce off see test_demo_data.py.
"""

import datetime as dt
import io

from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client, TestCase
from django.utils import timezone
from django.utils.html import escape

from storefeed.accounts.models import User
from storefeed.catalog.models import ExternalItem, PostProduct, Product, ProductImage, Variant
from storefeed.demo import DEMO_LOGINS, data, shop_data
from storefeed.insights.models import PostDay, ProductDay
from storefeed.notifications.models import Notification
from storefeed.orders.invariants import stock_problems
from storefeed.orders.models import Address, CartItem, Order, OrderEvent, OrderItem
from storefeed.orders.selectors import cart_for, orders_for_buyer, orders_for_seller, post_sales
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
from storefeed.sellers.models import Seller, SellerApplication, SellerDecision
from storefeed.social.models import Follow, FollowRequest
from storefeed.timelines.models import HomeEntry
from storefeed.timelines.selectors import home_timeline
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.models import Entry, LedgerAccount, LedgerTransaction, PaymentPin, TopUp
from storefeed.wallet.selectors import wallet_balance
from storefeed.wallet.services import pin_verify


def run_demo() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


COMMERCE_MODELS = (
    SellerApplication, Seller, SellerDecision, Product, Variant, ProductImage, ExternalItem,
    PostProduct, PaymentPin, TopUp, LedgerTransaction, Entry, Address, CartItem, Order,
    OrderItem, OrderEvent, PostDay, ProductDay,
)  # fmt: skip


def posts_insight_days(status_id: int) -> dict:
    rows = PostDay.objects.filter(status_id=status_id).values_list("day", "impressions", "orders")
    return {day: (seen, orders) for day, seen, orders in rows}


def snapshot() -> dict[str, object]:
    """Everything the demo writes, counted, plus the counters, stock and balances it must
    keep exact."""
    models = (
        User, Follow, FollowRequest, Status, MediaAttachment, Favourite, Bookmark, Pin,
        PollVote, Notification, HomeEntry, Tag, Mention, *COMMERCE_MODELS,
    )  # fmt: skip
    counts: dict[str, object] = {m.__name__: m.objects.count() for m in models}
    counts["stock"] = sorted(Product.objects.values_list("pk", "stock", "stock_added"))
    counts["variant stock"] = sorted(Variant.objects.values_list("pk", "stock", "stock_added"))
    counts["balances"] = sorted(LedgerAccount.objects.values_list("pk", "balance"))
    counts["order states"] = sorted(Order.objects.values_list("pk", "state"))
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
        assert "3 product posts" in self.out
        assert "6 orders" in self.out
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
        assert self.user("foodie_wang").followers_count >= 1000  # the pending applicant
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

    # -- commerce: the shops, Storefeed Pay and orders ------------------------------------

    def test_two_sellers_approved_by_staff_and_one_application_waits(self):
        staff = self.user("admin")
        for username in ("lily", "anna_style"):
            seller = Seller.objects.get(account__username=username)
            assert seller.is_active
            assert seller.application.decided_by == staff
            assert SellerDecision.objects.filter(
                account=seller.account, action="approve", by=staff
            ).exists()
            assert Notification.objects.filter(recipient=seller.account, type="shop").exists()
        pending = SellerApplication.objects.get(state="pending")
        assert pending.account.username == "foodie_wang"
        assert pending.account.followers_count >= 1000  # the threshold is real, not lowered
        assert not Seller.objects.filter(account=pending.account).exists()
        client = Client()
        client.force_login(staff)
        page = client.get("/staff/sellers")
        assert page.status_code == 200
        assert escape(pending.shop_name) in page.content.decode()

    def test_products_have_pictures_prices_stock_and_variants(self):
        lily_titles = set(
            Product.objects.filter(seller__username="lily").values_list("title", flat=True)
        )
        assert sum("Velvet Matte Lipstick" in t for t in lily_titles) == 9
        assert any("Serum" in t for t in lily_titles)
        products = Product.objects.all()
        assert products.count() == len(shop_data.PRODUCTS)
        without_picture = products.annotate(n=Count("images")).filter(n=0)
        assert list(without_picture) == []
        # Realistic CNY prices in fen: ¥99 to ¥1,599.
        assert all(9_900 <= p.price_fen <= 159_900 for p in products)
        assert all(p.currency == "CNY" for p in products)
        dress = Product.objects.get(title__startswith="Silk Wrap Midi Dress")
        assert dress.has_variants
        names = list(dress.variants.values_list("name", flat=True))
        assert {"Camel / M", "Black / L"} <= set(names)
        assert len(names) == 6
        # One with only a few left, one sold out (sold, not made empty).
        few = Product.objects.get(title__contains="#09")
        assert 0 < few.stock <= 5
        sold_out = Product.objects.get(title__contains="#01")
        assert sold_out.stock == 0
        assert sold_out.stock_added == 2
        assert OrderItem.objects.filter(product=sold_out, order__state="paid").count() == 2

    def test_product_posts_carry_three_to_nine_cards_and_a_tmall_item_entered_by_hand(self):
        per_post = dict(
            PostProduct.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        assert len(per_post) == len(shop_data.PRODUCT_POSTS)
        assert all(3 <= n <= 9 for n in per_post.values())
        assert 9 in per_post.values()
        item = ExternalItem.objects.get()
        assert item.source == "tmall"
        assert item.url == "https://detail.tmall.com/item.htm?id=520813250866"
        assert item.price_fen == 9_900
        assert item.image  # drawn and uploaded: no image URL to fetch
        assert item.image_url == ""
        assert not item.fetched_ok  # the manual path: nothing was fetched
        assert item.last_checked_at is None
        assert PostProduct.objects.filter(external_item=item).exists()

    def test_demo_fans_home_timeline_shows_product_cards(self):
        page = home_timeline(viewer=self.user("demo"), limit=40)
        with_cards = [s for s in page if s.product_cards]
        assert {s.account.username for s in with_cards} >= {"lily", "anna_style"}
        cards = [card for s in with_cards for card in s.product_cards]
        states = {card.state for card in cards}
        assert "sold out" in states
        assert "3 left" in states
        assert any(card.kind == "external" and card.source == "tmall" for card in cards)
        assert max(len(s.product_cards) for s in with_cards) == 9
        html = Client()
        html.force_login(self.user("demo"))
        home = html.get("/").content.decode()
        assert "Velvet Matte Lipstick #09" in home

    def test_demo_fan_has_a_pin_a_topped_up_wallet_an_address_and_a_cart(self):
        demo = self.user("demo")
        assert PaymentPin.objects.filter(account=demo).exists()
        pin_verify(account=demo, pin=shop_data.DEMO_PIN)  # raises if the PIN is another
        assert any(shop_data.DEMO_PIN in what for name, _p, what in DEMO_LOGINS if name == "demo")
        topup = TopUp.objects.get(account=demo)
        assert (topup.state, topup.amount, topup.provider) == ("confirmed", 200_000, "simulated")
        spent = sum(o.total_fen for o in Order.objects.filter(buyer=demo))
        assert wallet_balance(account=demo) == 200_000 - spent > 0
        assert Address.objects.filter(owner=demo, is_default=True).count() == 1
        cart = cart_for(account=demo)
        assert len(cart) == 1
        assert cart[0].available
        assert CartItem.objects.get(cart__owner=demo).source_status_id is not None

    def test_demo_fans_orders_one_shipped_by_lily_one_completed(self):
        demo = self.user("demo")
        orders = {o.state: o for o in orders_for_buyer(buyer=demo)}
        assert set(orders) == {"shipped", "completed"}
        shipped = orders["shipped"]
        assert shipped.seller.username == "lily"
        assert shipped.carrier
        assert shipped.tracking_number
        completed = orders["completed"]
        assert completed.delivered_at is not None
        assert completed.closed_at is not None
        # The escrow went to the seller: her wallet holds the order's total less the fee.
        assert wallet_balance(account=completed.seller) == completed.total_fen - completed.fee_fen
        moves = list(OrderEvent.objects.filter(order=completed).values_list("to_state", flat=True))
        assert moves == ["pending_payment", "paid", "shipped", "delivered", "completed"]
        assert Notification.objects.filter(recipient=demo, type="shop").exists()

    def test_lily_has_orders_to_ship_and_sales_per_post(self):
        lily = self.user("lily")
        to_ship = orders_for_seller(seller=lily, state="paid")
        assert len(to_ship) >= 2
        assert {o.buyer.username for o in to_ship} >= {"weiwei", "jenny_h"}
        sales = {row.status_id: row for row in post_sales(seller=lily)}
        velvet = Status.objects.get(
            account=lily, reblog_of__isnull=True, text__startswith="All nine Velvet Matte"
        )
        assert sales[velvet.pk].orders == 3
        assert sales[velvet.pk].revenue_fen == 3 * 18_900
        assert len(sales) == 2

    def test_lily_has_a_month_of_insight_and_todays_real_sales(self):
        lily = self.user("lily")
        velvet = Status.objects.get(
            account=lily, reblog_of__isnull=True, text__startswith="All nine Velvet Matte"
        )
        today = timezone.now().date()
        days = posts_insight_days(velvet.pk)
        assert len(days) == 30 and min(days) == today - dt.timedelta(days=29)
        assert all(days[d][0] > 0 for d in days if d < today)  # impressions every day
        assert days[today][1] == 3  # today's orders: the demo's real ones, rolled up
        client = Client()
        client.force_login(lily)
        page = client.get("/shop/insight?days=30")
        assert page.status_code == 200
        assert page.content.decode().count('data-testid="chart"') == 4

    def test_lily_has_a_promotion_that_has_run(self):
        from storefeed.promotions.models import Promotion
        from storefeed.promotions.selectors import promotion_results

        lily = self.user("lily")
        promotion = Promotion.objects.get(seller=lily)
        assert promotion.state == "active"
        assert 0 < promotion.spent_fen < promotion.budget_fen
        line = promotion_results([promotion])[promotion.pk]
        assert line.impressions > 1000 and line.taps == 1
        client = Client()
        client.force_login(lily)
        page = client.get("/shop/insight?days=30").content.decode()
        assert f'data-testid="promoted-line" data-id="{promotion.pk}"' in page
        # The demo fan's placement waits: their first home shows it on top, once.
        fan = Client(HTTP_USER_AGENT="Mozilla/5.0")
        fan.force_login(self.user("demo"))
        assert 'data-testid="promoted-label"' in fan.get("/").content.decode()
        assert 'data-testid="promoted-label"' not in fan.get("/").content.decode()

    def test_ledger_and_stock_invariants_hold(self):
        assert ledger_problems() == []
        assert stock_problems() == []
        assert LedgerTransaction.objects.count() > 0

    def test_discovery_looks_alive_after_the_demo(self):
        from storefeed.discovery.models import ExpertRank, Interest, Trend

        assert Interest.objects.filter(account__username="demo").count() == 3
        assert ExpertRank.objects.filter(field__slug="beauty", position=1).exists()
        kinds = set(Trend.objects.values_list("kind", flat=True))
        assert kinds == {"tag", "status", "product"}
        client = Client()
        assert len(client.get("/api/v1/trends/tags").json()) >= 3
        statuses = client.get("/api/v1/trends/statuses").json()
        assert len(statuses) >= 3 and all(s["trend_reason"] for s in statuses)
        links = client.get("/api/v1/trends/links").json()
        assert links and links[0]["url"].startswith("http://testserver/products/")
        assert "sold" in links[0]["reason"]
        hot = client.get("/hot").content.decode()
        assert hot.count('data-testid="hot-post"') >= 3
        client.force_login(User.objects.get(username="demo"))
        suggested = client.get("/api/v2/suggestions")  # a web session is not a token
        assert suggested.status_code == 401
        page = client.get("/suggestions").content.decode()
        assert page.count('data-testid="suggestion"') >= 3
