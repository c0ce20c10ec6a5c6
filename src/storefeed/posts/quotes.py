"""Quote posts as Mastodon 4.5 has them: who may quote a post (its quote policy), a quote's
state, revoking a quote of one's post, and changing a post's policy afterwards."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.parse import lookup_id
from storefeed.posts.models import QuotePolicy, QuoteState, Status, Visibility
from storefeed.social.models import Follow

AUTOMATIC, DENIED = "automatic", "denied"


class QuoteRefused(NotFound):
    """Quoting a post that is missing, hidden, or whose policy leaves the quoter out; worded
    and answered (404) as Mastodon does, which does not tell these cases apart."""

    code = "quoted_status_not_found"
    shown = True


def effective_policy(
    status: Status | None = None, *, visibility: str = "", policy: str = ""
) -> str:
    """A followers-only or direct post is quoted by nobody but its author, whatever its
    policy says (as Mastodon downgrades it)."""
    if status is not None:
        visibility, policy = status.visibility, status.quote_policy
    if visibility in (Visibility.PRIVATE, Visibility.DIRECT):
        return QuotePolicy.NOBODY.value
    return policy


def permission(
    *,
    visibility: str,
    policy: str,
    author_id: int,
    is_reblog: bool,
    viewer_id: int | None,
    following_author: bool,
) -> str:
    """How the post's policy applies to `viewer_id`: Mastodon's `current_user` (automatic or
    denied; Storefeed has no manual review)."""
    if viewer_id is None or is_reblog or visibility == Visibility.DIRECT:
        return DENIED
    if viewer_id == author_id:
        return AUTOMATIC
    policy = effective_policy(visibility=visibility, policy=policy)
    if policy == QuotePolicy.PUBLIC or (policy == QuotePolicy.FOLLOWERS and following_author):
        return AUTOMATIC
    return DENIED


def approval(
    *,
    visibility: str,
    policy: str,
    author_id: int,
    is_reblog: bool,
    viewer_id: int | None,
    following_author: bool,
) -> dict[str, object]:
    """Mastodon 4.5's QuoteApproval."""
    shown = effective_policy(visibility=visibility, policy=policy)
    return {
        "automatic": [] if shown == QuotePolicy.NOBODY or is_reblog else [shown],
        "manual": [],
        "current_user": permission(
            visibility=visibility,
            policy=policy,
            author_id=author_id,
            is_reblog=is_reblog,
            viewer_id=viewer_id,
            following_author=following_author,
        ),
    }


def check_quotable(*, quoted: Status, quoter: User) -> None:
    """Refuse a quote the post's policy does not allow (QuoteRefused)."""
    following = (
        quoted.quote_policy == QuotePolicy.FOLLOWERS
        and Follow.objects.filter(follower=quoter, target_id=quoted.account_id).exists()
    )
    allowed = permission(
        visibility=quoted.visibility,
        policy=quoted.quote_policy,
        author_id=quoted.account_id,
        is_reblog=quoted.reblog_of_id is not None,
        viewer_id=quoter.pk,
        following_author=following,
    )
    if allowed != AUTOMATIC:
        raise QuoteRefused(_("The post you are trying to quote does not appear to exist."))


def clean_policy(value: str | None, *, default: str) -> str:
    if value in (None, ""):
        return default
    if value not in QuotePolicy.values:
        raise ValidationFailed(
            _("Who may quote a post must be public, followers or nobody."),
            field="quote_approval_policy",
        )
    return str(value)


def _own(account: User, status_id: int | str) -> Status:
    try:
        return Status.objects.select_for_update().get(
            pk=lookup_id(status_id), account=account, reblog_of__isnull=True
        )
    except (Status.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This post does not exist or you cannot see it.")) from None


def status_quote_policy_update(*, account: User, status_id: int | str, policy: str) -> Status:
    """Change who may quote one of one's posts (quotes already made stay)."""
    policy = clean_policy(policy, default="")
    if not policy:
        raise ValidationFailed(
            _("Who may quote a post must be public, followers or nobody."),
            field="quote_approval_policy",
        )
    with transaction.atomic(durable=True):
        status = _own(account, status_id)
        if status.quote_policy != policy:
            status.quote_policy = policy
            status.save(update_fields=["quote_policy"])
            events.publish("status.updated", id=status.pk)
    return status


def quote_revoke(*, account: User, status_id: int | str, quoting_status_id: int | str) -> Status:
    """The author of a quoted post cuts a quote's link to it: the quote stays, showing that
    its author's quote was removed (Mastodon's `revoked`), and no longer counts as a repost.
    Returns the quoting post."""
    with transaction.atomic(durable=True):
        quoted = _own(account, status_id)
        try:
            quoting = Status.objects.select_for_update().get(
                pk=lookup_id(quoting_status_id), quote_of=quoted
            )
        except (Status.DoesNotExist, TypeError, ValueError):
            raise NotFound(_("This post does not exist or you cannot see it.")) from None
        quoting.quote_of = None
        quoting.quote_state = QuoteState.REVOKED
        quoting.save(update_fields=["quote_of", "quote_state"])
        Status.objects.filter(pk=quoted.pk).update(
            reblogs_count=Greatest(F("reblogs_count") - 1, 0)
        )
        events.publish("status.updated", id=quoting.pk)
    return quoting
