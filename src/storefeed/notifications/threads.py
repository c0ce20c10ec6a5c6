"""Threads: the chain of posts a reply hangs from, and who muted a thread (a post's "mute
conversation"; the mutes are kept by the filters package, read here by its table name so that this package imports
nothing above it)."""

from collections.abc import Iterable, Sequence

from django.apps import apps

from storefeed.core import sql

# A reply chain longer than this is cut (a thread that deep is an abuse, not a conversation).
MAX_DEPTH = 500


def ancestry(status_ids: Sequence[int]) -> dict[int, list[int]]:
    """For each of `status_ids`, itself and the posts it replies to, up to the thread's first
    post (last), in one recursive query. Deleted posts are absent; a post whose parent was
    deleted starts its own thread there."""
    ids = sorted(set(status_ids))
    if not ids:
        return {}
    st = sql.table(apps.get_model("posts", "Status"))
    query = f"""WITH RECURSIVE chain(start, id, parent, depth) AS (
            SELECT id, id, in_reply_to_id, 0 FROM {st} WHERE id IN ({sql.placeholders(ids)})
            UNION ALL
            SELECT c.start, s.id, s.in_reply_to_id, c.depth + 1
            FROM chain c JOIN {st} s ON s.id = c.parent WHERE c.depth < %s)
        SELECT start, id FROM chain ORDER BY start, depth"""  # noqa: S608
    found: dict[int, list[int]] = {}
    for start, pk in sql.rows(query, [*ids, MAX_DEPTH]):
        found.setdefault(start, []).append(pk)
    return found


def thread_root(status_id: int) -> int | None:
    """The first post of `status_id`'s thread (itself when it replies to nothing)."""
    chain = ancestry([status_id]).get(status_id)
    return chain[-1] if chain else None


def muting_thread(recipient_ids: Iterable[int], status_id: int) -> set[int]:
    """Which of `recipient_ids` muted the thread `status_id` belongs to (one query)."""
    wanted = sorted(set(recipient_ids))
    if not wanted:
        return set()
    st = sql.table(apps.get_model("posts", "Status"))
    mutes = sql.table(apps.get_model("filters", "ThreadMute"))
    query = f"""WITH RECURSIVE chain(id, parent, depth) AS (
            SELECT id, in_reply_to_id, 0 FROM {st} WHERE id = %s
            UNION ALL
            SELECT s.id, s.in_reply_to_id, c.depth + 1
            FROM chain c JOIN {st} s ON s.id = c.parent WHERE c.depth < %s)
        SELECT DISTINCT account_id FROM {mutes}
        WHERE account_id IN ({sql.placeholders(wanted)}) AND status_id IN (SELECT id FROM chain)"""  # noqa: S608
    return {pk for (pk,) in sql.rows(query, [status_id, MAX_DEPTH, *wanted])}
