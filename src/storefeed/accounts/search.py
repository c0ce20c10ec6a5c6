"""Full-text search of accounts (people and shops): their names and bios, in Chinese and
English alike (core/fulltext.py's tokens), instead of "the name contains the text".

The index (`AccountSearch`) is written whenever the profile is saved (`User.save`, every path
that changes it) and by packages above that add words of their own: sellers add the shop's
name (`register_texts`), and rewrite the row when a shop opens. An exact username comes first,
then the most followed.
"""

from collections.abc import Callable, Collection, Iterable

from django.db import connection

from storefeed.accounts.models import AccountSearch, User
from storefeed.core import fulltext, sql

# Packages above accounts add words to an account's row (sellers: the shop's name).
_texts: list[Callable[[list[int]], dict[int, list[str]]]] = []


def register_texts(texts: Callable[[list[int]], dict[int, list[str]]]) -> None:
    """`texts(account_ids)` -> {account id: [more words to find it by]}."""
    if texts not in _texts:
        _texts.append(texts)


def account_index(account_ids: Iterable[int]) -> None:
    """(Re)write the index rows of these accounts."""
    ids = list(account_ids)
    if not ids:
        return
    more: dict[int, list[str]] = {}
    for texts in _texts:
        for pk, words in texts(ids).items():
            more.setdefault(pk, []).extend(words)
    vendor = connection.vendor
    rows = [
        AccountSearch(
            account_id=pk,
            document=fulltext.document([username, name, note, *more.get(pk, [])], vendor),
        )
        for pk, username, name, note in User.objects.filter(pk__in=ids).values_list(
            "pk", "username", "display_name", "note"
        )
    ]
    AccountSearch.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["account"], update_fields=["document"]
    )


def account_index_rebuild(*, batch: int = 2000) -> int:
    """Index every account again."""
    done = last = 0
    while ids := list(
        User.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
    ):
        account_index(ids)
        done += len(ids)
        last = ids[-1]
    return done


def account_search_ids(
    *,
    query: fulltext.Query,
    username: str = "",
    limit: int = 20,
    among: Collection[int] | None = None,
) -> list[int]:
    """Ids of the active accounts matching `query` (only those in `among` when given): the
    one whose username is `username` first, then the most followed."""
    if query.empty or (among is not None and not among):
        return []
    limit = max(1, min(limit, 80))
    # Names are typed a few letters at a time (an @mention's completion): every word is a
    # prefix, however short ("ca" finds carol).
    query = fulltext.Query(
        groups=tuple(
            tuple(fulltext.Term(t.tokens, prefix=t.prefix or len(t.tokens) == 1) for t in group)
            for group in query.groups
        ),
        text=query.text,
    )
    users = sql.table(User)
    where: list[str]
    params: list[object]
    if connection.vendor == "postgresql":
        source = f"{sql.table(AccountSearch)} f JOIN {users} u ON u.id = f.account_id"
        where, params = ["f.document @@ %s::tsquery"], [fulltext.tsquery(query)]
    else:
        index = AccountSearch._meta.db_table
        source = f"{index}_fts f JOIN {users} u ON u.id = f.rowid"
        where, params = [f"{index}_fts MATCH %s"], [fulltext.fts5_match(query)]
    where.append("u.is_active = %s")
    params.append(True)
    if among is not None:
        chosen = sorted(among)
        where.append(f"u.id IN ({sql.placeholders(chosen)})")
        params.extend(chosen)
    return [
        row[0]
        for row in sql.rows(
            f"SELECT u.id FROM {source} WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY CASE WHEN LOWER(u.username) = %s THEN 0 ELSE 1 END,"
            " u.followers_count DESC, u.username LIMIT %s",
            [*params, username.casefold(), limit],
        )
    ]
