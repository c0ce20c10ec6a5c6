"""Full-text search of posts: keeping the index current, and finding what a reader may see.

The index (`StatusSearch`, see core/fulltext.py) holds what a post says (its text, content
warning, poll options and image descriptions) and is written in the transaction that writes the
post (create, edit, an image's description changed; a delete takes the row with it), so a search never finds a post that is
gone and finds a new one at once. Plain reposts are not indexed (their originals are).
Results are newest first, as Mastodon's with full-text search on, so `max_id`/`min_id` page
them and the index is read in id order: a common word stops after a page of hits instead of
sorting every match.
"""

from collections.abc import Callable, Iterable

from django.db import connection

from storefeed.accounts.models import User
from storefeed.accounts.search import account_index_rebuild
from storefeed.core import fulltext, sql
from storefeed.posts.models import (
    MediaAttachment,
    Mention,
    Poll,
    Status,
    StatusSearch,
    Visibility,
)
from storefeed.social import selectors as social
from storefeed.social.models import Follow

MAX_OFFSET = 10_000

# Packages above posts with indexes of their own (catalog: products and items) register how to
# rebuild them, so that one command rebuilds every index without posts knowing of them.
_rebuilders: dict[str, Callable[[], int]] = {}


def register_rebuild(name: str, rebuild: Callable[[], int]) -> None:
    _rebuilders[name] = rebuild


def status_index(status_ids: Iterable[int]) -> None:
    """(Re)write the index rows of these posts from what they say now (reposts skipped)."""
    ids = list(status_ids)
    if not ids:
        return
    vendor = connection.vendor
    options = dict(Poll.objects.filter(status_id__in=ids).values_list("status_id", "options"))
    # Image descriptions are part of what a post says (and all a picture-only post says).
    described: dict[int, list[str]] = {}
    for status_id, description in (
        MediaAttachment.objects.filter(status_id__in=ids)
        .exclude(description="")
        .order_by("position")
        .values_list("status_id", "description")
    ):
        described.setdefault(status_id, []).append(description)
    rows = [
        StatusSearch(
            status_id=pk,
            document=fulltext.document(
                [spoiler, text, *(options.get(pk) or []), *described.get(pk, [])], vendor
            ),
        )
        for pk, text, spoiler in Status.objects.filter(
            pk__in=ids, reblog_of__isnull=True
        ).values_list("pk", "text", "spoiler_text")
    ]
    StatusSearch.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["status"], update_fields=["document"]
    )


def search_rebuild() -> dict[str, int]:
    """Every index rebuilt (after a restore, or a change of segmentation): how many rows each."""
    done = {"posts": status_index_rebuild(), "accounts": account_index_rebuild()}
    for name, rebuild in _rebuilders.items():
        done[name] = rebuild()
    return done


def status_index_rebuild(*, batch: int = 2000) -> int:
    """Index every post again."""
    done = 0
    last = 0
    while True:
        ids = list(
            Status.objects.filter(pk__gt=last, reblog_of__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        status_index(ids)
        done += len(ids)
        last = ids[-1]


def _visible_sql(viewer_id: int | None) -> tuple[str, list[object]]:
    """`s` visible to the viewer, as SQL. The rule of posts.selectors.can_view, narrowed for
    discovery: someone else's unlisted post is found only by their followers (unlisted means
    "keep out of public listings")."""
    if viewer_id is None:
        return "s.visibility = %s", [Visibility.PUBLIC]
    follows, mentions = sql.table(Follow), sql.table(Mention)
    following = f"EXISTS (SELECT 1 FROM {follows} fo WHERE fo.follower_id = %s AND fo.target_id = s.account_id)"  # noqa: S608
    return (
        f"(s.visibility = %s OR s.account_id = %s"  # noqa: S608
        f" OR (s.visibility IN (%s, %s) AND {following})"
        f" OR (s.visibility = %s AND EXISTS (SELECT 1 FROM {mentions} me"
        f" WHERE me.status_id = s.id AND me.account_id = %s)))",
        [
            Visibility.PUBLIC,
            viewer_id,
            Visibility.UNLISTED,
            Visibility.PRIVATE,
            viewer_id,
            Visibility.DIRECT,
            viewer_id,
        ],
    )


def status_search_ids(
    *,
    viewer: User | None,
    query: fulltext.Query,
    account_id: int | None = None,
    following: bool = False,
    max_id: int | None = None,
    min_id: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> list[int]:
    """Ids of the posts matching `query` that `viewer` may see, newest first (with `min_id`:
    those just above it): not from accounts they block, that block them or that they mute;
    only from `account_id` if given, only from accounts they follow if `following`."""
    if query.empty or offset > MAX_OFFSET:
        return []  # a page past what is served is an empty page
    limit = max(1, min(limit, 40))
    offset = max(0, offset)
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    index = StatusSearch._meta.db_table  # unquoted: the FTS5 table's name is made from it
    if connection.vendor == "postgresql":
        source = f"{sql.table(StatusSearch)} f JOIN {sql.table(Status)} s ON s.id = f.status_id"
        where = ["f.document @@ %s::tsquery"]
        params: list[object] = [fulltext.tsquery(query)]
        key = "f.status_id"
    else:
        source = f"{index}_fts f JOIN {sql.table(Status)} s ON s.id = f.rowid"
        where, params = [f"{index}_fts MATCH %s"], [fulltext.fts5_match(query)]
        key = "f.rowid"
    visible, visible_params = _visible_sql(viewer_id)
    where.append("s.reblog_of_id IS NULL")
    where.append(visible)
    params.extend(visible_params)
    if viewer_id is not None:
        hidden = sorted(social.hidden_account_ids(viewer_id))
        if hidden:
            where.append(f"s.account_id NOT IN ({sql.placeholders(hidden)})")
            params.extend(hidden)
    if account_id is not None:
        where.append("s.account_id = %s")
        params.append(account_id)
    if following:
        if viewer_id is None:
            return []
        where.append(
            f"(s.account_id = %s OR s.account_id IN (SELECT target_id FROM {sql.table(Follow)}"  # noqa: S608
            " WHERE follower_id = %s))"
        )
        params.extend([viewer_id, viewer_id])
    if max_id is not None:
        where.append(f"{key} < %s")
        params.append(max_id)
    if min_id is not None:
        where.append(f"{key} > %s")
        params.append(min_id)
    order = "ASC" if min_id is not None and max_id is None else "DESC"
    found = [
        row[0]
        for row in sql.rows(
            f"SELECT s.id FROM {source} WHERE {' AND '.join(where)}"  # noqa: S608
            f" ORDER BY {key} {order} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
    ]
    return sorted(found, reverse=True)
