"""Tags: follow and unfollow them, feature them on one's profile."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.parse import lookup_id
from storefeed.core.text import (
    is_valid_tag,
    normalize_tag,
)
from storefeed.posts.models import (
    FeaturedTag,
    Tag,
    TagFollow,
)
from storefeed.posts.services.compose import _tags_for

# Tags -------------------------------------------------------------------------------------


def _tag_named(name: str, *, create: bool) -> Tag:
    name = (name or "").lstrip("#")
    if not is_valid_tag(name):
        raise ValidationFailed(
            _("A tag is made of letters, digits and underscores, like #美妆 or #OOTD."),
            field="name",
        )
    if create:
        return _tags_for([name])[0]
    tag = Tag.objects.filter(key=normalize_tag(name)).first()
    if tag is None:
        raise NotFound(_("No posts carry this tag yet."))
    return tag


@transaction.atomic(durable=True)
def tag_follow(*, account: User, name: str) -> Tag:
    tag = _tag_named(name, create=True)
    TagFollow.objects.get_or_create(account=account, tag=tag)
    return tag


@transaction.atomic(durable=True)
def tag_unfollow(*, account: User, name: str) -> Tag:
    tag = _tag_named(name, create=True)
    TagFollow.objects.filter(account=account, tag=tag).delete()
    return tag


MAX_FEATURED_TAGS = 10


@transaction.atomic(durable=True)
def featured_tag_create(*, account: User, name: str) -> FeaturedTag:
    tag = _tag_named(name, create=True)
    User.objects.select_for_update().filter(pk=account.pk).first()
    if FeaturedTag.objects.filter(account=account).count() >= MAX_FEATURED_TAGS:
        raise ValidationFailed(
            _("You can feature at most %(max)s tags.") % {"max": MAX_FEATURED_TAGS}, field="name"
        )
    try:
        with transaction.atomic():
            return FeaturedTag.objects.create(account=account, tag=tag)
    except IntegrityError:
        raise ValidationFailed(_("This tag is already featured."), field="name") from None


@transaction.atomic(durable=True)
def featured_tag_delete(*, account: User, featured_id: int | str) -> None:
    try:
        deleted, _rows = FeaturedTag.objects.filter(
            pk=lookup_id(featured_id), account=account
        ).delete()
    except (TypeError, ValueError):
        deleted = 0
    if not deleted:
        raise NotFound(_("This featured tag does not exist."))
