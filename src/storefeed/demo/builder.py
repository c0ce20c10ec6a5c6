"""Builds the demo network from data.py through the domain services, idempotently.

Every step first looks for what it would create and creates only what is missing, so a second
run (or a run after an interrupted one) writes nothing that is already there. The counts of
what was created tell the command what to say.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from storefeed.accounts import services as accounts
from storefeed.accounts.models import User
from storefeed.core.errors import DomainError
from storefeed.core.text import clean_plain
from storefeed.demo import data, images
from storefeed.discovery import services as discovery
from storefeed.discovery.models import Interest
from storefeed.discovery.trends import trends_refresh
from storefeed.posts import services as posts
from storefeed.posts.models import Bookmark, Favourite, Pin, PollVote, Status
from storefeed.social import services as social
from storefeed.social.models import Follow, FollowRequest

EMAIL_DOMAIN = "demo.storefeed.example.com"
POLL_VOTES = 36  # silent fans who vote in the demo poll


@dataclass
class Step:
    label: str
    units: int
    run: Callable[[], Iterator[None]]  # yields once per unit done


@dataclass
class DemoBuilder:
    """`build()` runs every step; `created` counts what was written, `warnings` what was
    skipped because a service refused it."""

    created: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    _users: dict[str, User] = field(default_factory=dict)
    _statuses: dict[str, Status] = field(default_factory=dict)
    _commerce: list[Step] | None = None

    # -- the plan -------------------------------------------------------------------------

    def steps(self) -> list[Step]:
        return [
            *self._microblog_steps(),
            *self._commerce_steps(),
            # Last, so that the hot list counts everything above, sales included.
            Step("experts ranked, hot list", 1, self._discovery),
        ]

    def _commerce_steps(self) -> list[Step]:
        """The shops, when commerce is switched on. With STOREFEED_COMMERCE=off the commerce
        apps are not installed, and commerce.py (which imports their models) is never
        imported."""
        if not apps.is_installed("storefeed.catalog"):
            return []
        if self._commerce is None:
            from storefeed.demo.commerce import CommerceDemo

            self._commerce = CommerceDemo(self).steps()
        return self._commerce

    def _microblog_steps(self) -> list[Step]:
        return [
            Step("staff", 1, self._staff),
            Step("accounts", len(data.PEOPLE), self._people),
            Step("experts", sum(1 for p in data.PEOPLE if p.expert), self._experts),
            Step("fans", 1, self._fans),
            Step("fans follow experts", 1, self._fan_follows),
            Step("follows", sum(len(t) for t in data.FOLLOWS.values()), self._follows),
            Step("follow requests", len(data.FOLLOW_REQUESTS), self._follow_requests),
            Step("posts", len(data.TIMELINE), self._timeline),
            Step("interests", len(data.INTERESTS), self._interests),
        ]

    def build(self, tick: Callable[[str], None] = lambda _label: None) -> Counter[str]:
        for step in self.steps():
            for _done in step.run():
                tick(step.label)
        return self.created

    # -- helpers ----------------------------------------------------------------------------

    def user(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = User.objects.get(username=username)
        return self._users[username]

    @contextmanager
    def _service(self, what: str) -> Iterator[None]:
        """Around one service call: a refusal is recorded, not fatal (the rest still builds),
        and the rest of the block (the count) is skipped."""
        try:
            yield
        except DomainError as exc:
            self.warnings.append(f"{what}: {exc.message}")

    def _email(self, username: str) -> str:
        return f"{username}@{EMAIL_DOMAIN}"

    def _decorate(self, account: User, person: data.Person) -> None:
        """Avatar, header, bio and lock, once (an account that has an avatar is done)."""
        if account.avatar:
            return
        avatar = images.to_png(images.draw_avatar(person.initials, palette=person.palette))
        header = images.to_jpeg(
            images.draw_header(person.palette, seed=len(person.username)), quality=80
        )
        accounts.profile_update(
            account=account,
            note=person.note,
            locked=person.locked or None,
            avatar=SimpleUploadedFile("avatar.png", avatar, content_type="image/png"),
            header=SimpleUploadedFile("header.jpg", header, content_type="image/jpeg"),
        )
        self.created["profiles"] += 1

    # -- steps ----------------------------------------------------------------------------

    def _staff(self) -> Iterator[None]:
        person = data.STAFF
        account = User.objects.filter(username__iexact=person.username).first()
        if account is None:
            # "admin" is reserved for sign-ups (it reads as the site speaking), so the staff
            # account is made the way `storefeed createsuperuser` makes one.
            account = User.objects.create_superuser(
                username=person.username,
                email=self._email(person.username),
                password=person.password,
                display_name=person.display_name,
            )
            self.created["accounts"] += 1
        self._users[account.username] = account
        self._decorate(account, person)
        yield

    def _people(self) -> Iterator[None]:
        for person in data.PEOPLE:
            account = User.objects.filter(username__iexact=person.username).first()
            if account is None:
                account = accounts.account_create(
                    username=person.username,
                    email=self._email(person.username),
                    password=person.password,
                    display_name=person.display_name,
                )
                self.created["accounts"] += 1
            self._users[account.username] = account
            self._decorate(account, person)
            yield

    def _experts(self) -> Iterator[None]:
        staff = self.user(data.STAFF.username)
        for person in data.PEOPLE:
            if not person.expert:
                continue
            account = self.user(person.username)
            field_slug = account.expert_field.slug if account.expert_field else None
            if not (account.is_expert and field_slug == person.expert):
                with self._service(f"verify @{person.username}"):
                    accounts.expert_verify(account=account, field=person.expert, by=staff)
                    self.created["experts"] += 1
            yield

    def _interests(self) -> Iterator[None]:
        for username, fields in data.INTERESTS.items():
            account = self.user(username)
            if not Interest.objects.filter(account=account).exists():
                with self._service(f"interests of @{username}"):
                    discovery.interests_set(account=account, field_slugs=fields)
                    self.created["interests"] += len(fields)
            yield

    def _discovery(self) -> Iterator[None]:
        """Rank the experts and fold everything into the hot list now, as the worker does
        every minute, so the pages look alive at once (running it again changes nothing)."""
        discovery.expert_ranks_refresh()
        trends_refresh()
        yield

    def _fans(self) -> Iterator[None]:
        """The silent majority: accounts that follow experts and never sign in. Made in bulk
        (a sign-up each would hash 1,200 passwords for accounts nobody uses); their password
        is unusable."""
        names = [data.fan_username(i) for i in range(data.FAN_COUNT)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        missing = []
        for index, name in enumerate(names):
            if name in existing:
                continue
            fan = User(
                username=name,
                email=self._email(name),
                display_name=data.fan_display_name(index),
            )
            fan.set_unusable_password()
            missing.append(fan)
        with transaction.atomic(durable=True):
            User.objects.bulk_create(missing, batch_size=500)
        self.created["fans"] += len(missing)
        yield

    def _fan_follows(self) -> Iterator[None]:
        """Fans follow experts with rows made in bulk, and the counters are then recounted
        from the rows, so they are exact.

        Not through follow_create, on purpose: about 4,700 follows would each be a durable
        transaction, a notification (burying the experts' real ones) and a home-backfill task
        for an account that never signs in, which takes minutes instead of a second. The
        experts post after this step, so fan-out still delivers their posts to the fans."""
        fan_ids = dict(
            User.objects.filter(username__startswith="fan", password__startswith="!").values_list(
                "username", "pk"
            )
        )
        wanted: list[tuple[int, int]] = []
        for rule in data.FAN_FOLLOWS:
            target_id = self.user(rule.target).pk
            for index in range(data.FAN_COUNT):
                fan_id = fan_ids.get(data.fan_username(index))
                if fan_id is not None and index % rule.modulo in rule.remainders:
                    wanted.append((fan_id, target_id))
        target_ids = {t for _f, t in wanted}
        have = set(
            Follow.objects.filter(
                target_id__in=target_ids, follower_id__in=fan_ids.values()
            ).values_list("follower_id", "target_id")
        )
        rows = [Follow(follower_id=f, target_id=t) for f, t in wanted if (f, t) not in have]
        if rows:
            with transaction.atomic(durable=True):
                Follow.objects.bulk_create(rows, batch_size=1000)
                touched = {f for f, _t in wanted} | target_ids
                _recount_follows(touched)
        self.created["fan follows"] += len(rows)
        yield

    def _follows(self) -> Iterator[None]:
        for who, targets in data.FOLLOWS.items():
            follower = self.user(who)
            for target_name in targets:
                target = self.user(target_name)
                if not Follow.objects.filter(follower=follower, target=target).exists():
                    with self._service(f"@{who} follows @{target_name}"):
                        social.follow_create(follower=follower, target=target)
                        self.created["follows"] += 1
                yield

    def _follow_requests(self) -> Iterator[None]:
        for who, target_name, approve in data.FOLLOW_REQUESTS:
            account, target = self.user(who), self.user(target_name)
            if Follow.objects.filter(follower=account, target=target).exists():
                yield
                continue
            if not FollowRequest.objects.filter(account=account, target=target).exists():
                with self._service(f"@{who} asks to follow @{target_name}"):
                    social.follow_create(follower=account, target=target)
                    self.created["follow requests"] += 1
            if approve:
                with self._service(f"@{target_name} approves @{who}"):
                    social.follow_request_authorize(target=target, account=account)
                    self.created["follows"] += 1
            yield

    def _timeline(self) -> Iterator[None]:
        for item in data.TIMELINE:
            if isinstance(item, data.Repost):
                self._repost(item)
            else:
                status = self._post(item)
                if status is not None:
                    self._statuses[item.key] = status
                    self._reactions(item, status)
            yield

    def _post(self, post: data.Post) -> Status | None:
        author = self.user(post.author)
        existing = Status.objects.filter(
            account=author, reblog_of__isnull=True, text=clean_plain(post.text, multiline=True)
        ).first()
        if existing is not None:
            return existing
        media_ids = []
        size = (800, 1000) if len(post.images) <= 2 else (800, 800)
        for position, (scene, caption) in enumerate(post.images):
            colour = post.colours[position] if position < len(post.colours) else None
            picture = images.draw_picture(scene, caption, seed=position, size=size, colour=colour)
            upload = SimpleUploadedFile(
                f"{post.key}-{position + 1}.jpg", images.to_jpeg(picture), content_type="image/jpeg"
            )
            media = posts.media_create(account=author, file=upload, description=caption)
            media_ids.append(media.pk)
            self.created["images"] += 1
        try:
            status = posts.status_create(
                account=author,
                text=post.text,
                media_ids=media_ids,
                visibility=post.visibility,
                spoiler_text=post.spoiler_text,
                language=post.language,
                in_reply_to_id=self._statuses[post.reply_to].pk if post.reply_to else None,
                quote_of_id=self._statuses[post.quote_of].pk if post.quote_of else None,
                poll=posts.PollSpec(options=post.poll, expires_in=7 * 24 * 3600)
                if post.poll
                else None,
            )
        except DomainError as exc:
            self.warnings.append(f"post {post.key}: {exc.message}")
            # Its images were uploaded for it; they stay unattached, as after a failed compose.
            return None
        self.created["replies" if post.reply_to else "posts"] += 1
        return status

    def _reactions(self, post: data.Post, status: Status) -> None:
        fans = [data.fan_username(i) for i in range(max(post.fan_likes, POLL_VOTES))]
        likers = [*post.likes, *fans[: post.fan_likes]]
        liked = set(
            Favourite.objects.filter(status=status, account__username__in=likers).values_list(
                "account__username", flat=True
            )
        )
        for name in likers:
            if name not in liked:
                with self._service(f"@{name} likes {post.key}"):
                    posts.status_favourite(account=self.user(name), status_id=status.pk)
                    self.created["likes"] += 1
        bookmarked = set(
            Bookmark.objects.filter(status=status).values_list("account__username", flat=True)
        )
        for name in post.bookmarks:
            if name not in bookmarked:
                with self._service(f"@{name} bookmarks {post.key}"):
                    posts.status_bookmark(account=self.user(name), status_id=status.pk)
                    self.created["bookmarks"] += 1
        pinned = Pin.objects.filter(account_id=status.account_id, status=status).exists()
        if post.pinned and not pinned:
            with self._service(f"pin {post.key}"):
                posts.status_pin(account=self.user(post.author), status_id=status.pk)
                self.created["pins"] += 1
        if post.poll:
            poll_id = status.poll.pk
            voted = set(
                PollVote.objects.filter(poll_id=poll_id).values_list("account__username", flat=True)
            )
            for index, name in enumerate(fans[:POLL_VOTES]):
                # Not an even split: the first option wins, as polls tend to go.
                choice = 0 if index % 5 == 0 else index % len(post.poll)
                if name not in voted:
                    with self._service(f"@{name} votes in {post.key}"):
                        posts.poll_vote(account=self.user(name), poll_id=poll_id, choices=[choice])
                        self.created["poll votes"] += 1

    def _repost(self, repost: data.Repost) -> None:
        original = self._statuses.get(repost.key)
        if original is None:
            self.warnings.append(f"@{repost.who} reposts {repost.key}: the post is missing")
            return
        account = self.user(repost.who)
        if Status.objects.filter(account=account, reblog_of=original).exists():
            return
        with self._service(f"@{repost.who} reposts {repost.key}"):
            posts.status_reblog(account=account, status_id=original.pk)
            self.created["reposts"] += 1


def _recount_follows(user_ids: set[int]) -> None:
    """Set both follow counters of `user_ids` from the rows (inside the caller's transaction)."""

    def counted(column: str) -> Coalesce:
        rows = (
            Follow.objects.filter(**{column: OuterRef("pk")})
            .order_by()
            .values(column)
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    ids = sorted(user_ids)
    for start in range(0, len(ids), 500):
        User.objects.filter(pk__in=ids[start : start + 500]).update(
            followers_count=counted("target"), following_count=counted("follower")
        )
