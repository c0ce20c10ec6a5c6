"""Writes to direct-message conversations: a direct post enters them (from the posts
package's `status_created`, inside the post's transaction), a deleted one leaves them, and a
participant marks one read or removes it from their list."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.conversations.models import AccountConversation
from storefeed.core import sql
from storefeed.core.errors import NotFound
from storefeed.notifications.threads import MAX_DEPTH, thread_root
from storefeed.posts.models import Mention, Status, Visibility


def conversation_add_status(*, status_id: int) -> int:
    """Put a direct post into the conversations of its author and those it mentions: each
    gets it as the newest post, unread unless they wrote it. Returns how many conversations
    it entered (0 for a post that is not direct)."""
    status = (
        Status.objects.filter(pk=status_id, visibility=Visibility.DIRECT, reblog_of__isnull=True)
        .values("pk", "account_id")
        .first()
    )
    if status is None:
        return 0
    root = thread_root(status_id) or status_id
    people = {status["account_id"]} | set(
        Mention.objects.filter(status_id=status_id).values_list("account_id", flat=True)
    )
    existing = {
        c.account_id: c
        for c in AccountConversation.objects.select_for_update().filter(
            root_id=root, account_id__in=people
        )
    }
    for person in sorted(people):
        others = set(people) - {person}
        row = existing.get(person)
        unread = person != status["account_id"]
        if row is None:
            try:
                with transaction.atomic():  # a savepoint: a concurrent post may insert it first
                    AccountConversation.objects.create(
                        account_id=person,
                        root_id=root,
                        participant_ids=sorted(others),
                        last_status_id=status_id,
                        unread=unread,
                    )
                continue
            except IntegrityError:
                row = AccountConversation.objects.select_for_update().get(
                    account_id=person, root_id=root
                )
        row.participant_ids = sorted(set(row.participant_ids) | others)
        if row.last_status_id is None or row.last_status_id < status_id:
            # Posts committing out of order never move the newest back.
            row.last_status_id = status_id
            row.unread = unread
        row.save(update_fields=["participant_ids", "last_status", "unread", "updated_at"])
    return len(people)


def _newest_in_thread(*, root_id: int, account_id: int, without: set[int]) -> int | None:
    """The newest direct post of the thread from `root_id` that `account_id` wrote or is
    mentioned in, leaving out `without`."""
    st, mentions = sql.table(Status), sql.table(Mention)
    query = f"""WITH RECURSIVE down(id, depth) AS (
            SELECT id, 0 FROM {st} WHERE id = %s
            UNION ALL
            SELECT s.id, d.depth + 1 FROM {st} s JOIN down d ON s.in_reply_to_id = d.id
            WHERE d.depth < %s)
        SELECT MAX(s.id) FROM {st} s WHERE s.id IN (SELECT id FROM down)
            AND s.visibility = %s AND s.reblog_of_id IS NULL
            AND (s.account_id = %s
                 OR EXISTS (SELECT 1 FROM {mentions} m WHERE m.status_id = s.id AND m.account_id = %s))"""  # noqa: S608
    params: list[object] = [root_id, MAX_DEPTH, Visibility.DIRECT, account_id, account_id]
    if without:
        query += f" AND s.id NOT IN ({sql.placeholders(sorted(without))})"
        params += sorted(without)
    found = sql.rows(query, params)
    return found[0][0] if found and found[0][0] is not None else None


def conversation_remove_statuses(*, status_ids: list[int]) -> None:
    """Posts about to be deleted leave the conversations they are newest in: each then shows
    the thread's newest remaining direct post, or goes when none is left."""
    rows = list(AccountConversation.objects.filter(last_status_id__in=status_ids))
    for row in rows:
        newest = _newest_in_thread(
            root_id=row.root_id, account_id=row.account_id, without=set(status_ids)
        )
        if newest is None:
            row.delete()
        else:
            row.last_status_id = newest
            row.save(update_fields=["last_status", "updated_at"])


def _own(account: User, conversation_id: int) -> AccountConversation:
    found = AccountConversation.objects.filter(pk=conversation_id, account=account).first()
    if found is None:
        raise NotFound(_("This conversation does not exist."))
    return found


def conversation_read(*, account: User, conversation_id: int) -> AccountConversation:
    with transaction.atomic(durable=True):
        row = _own(account, conversation_id)
        if row.unread:
            row.unread = False
            row.save(update_fields=["unread", "updated_at"])
    return row


def conversation_remove(*, account: User, conversation_id: int) -> None:
    """Remove a conversation from one's list (the posts stay; a new one brings it back)."""
    with transaction.atomic(durable=True):
        _own(account, conversation_id).delete()
