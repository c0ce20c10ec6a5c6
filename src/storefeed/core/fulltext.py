"""Full-text search shared by posts and products: segmentation, queries, index documents.

Chinese has no spaces, so text is cut into *character bigrams* (Lucene's CJK approach):
"买口红" becomes 买口, 口红 and the run's last character 红 on its own. Every character then
starts a token or ends its run, so a one-character query finds every occurrence as a prefix
(红*), and a longer one is the phrase of its bigrams ("口红色" is 口红 followed by 红色).
Other scripts are split into words, lower-cased (NFKC, case-folded). The same tokens feed
both databases: SQLite's FTS5 (the `ascii` tokenizer only splits on the spaces between our
tokens) and PostgreSQL's tsvector/tsquery, written as literals so that neither database's
own parser (which does not know Chinese) is involved. docs/architecture.md says why.

A query never reaches either database as syntax: every token is quoted, so `"`, `*`, `NEAR`,
`OR`, `%` or `_` typed by someone are text (or, being punctuation, dropped).
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from storefeed.core.errors import ValidationFailed

# Han (with extensions A and compatibility), kana and Hangul: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_RUN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_QUERY_CHARS = 200
MAX_WORD = 40  # longer "words" (hashes, base64) are cut: nobody types them to search
MIN_PREFIX = 3  # Latin words this long or longer also match longer words ("lipstick*")
MAX_POSITIONS = 255  # PostgreSQL keeps at most 256 positions per lexeme


def _runs(text: str) -> Iterable[tuple[bool, str]]:
    """(is_cjk, run) for each run of CJK characters or of other letters and digits."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    for match in _RUN.finditer(folded):
        if match.group(1):
            yield True, match.group(1)
        else:
            yield False, match.group(2)[:MAX_WORD]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The tokens of a document, in order."""
    out: list[str] = []
    for cjk, run in _runs(text):
        if cjk and len(run) > 1:
            out.extend(_bigrams(run))
            out.append(run[-1])
        else:
            out.append(run)
    return out


@dataclass(frozen=True)
class Term:
    """A phrase of consecutive tokens; `prefix`: its last token may be the start of one."""

    tokens: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True)
class Query:
    """What someone typed, parsed: groups of terms, every term of a group required; any
    group will do. Chinese and other words form separate groups, so "口红 lipstick" finds
    posts with either (a query mixing languages is nearly always one thing said twice),
    while "red lipstick" and "哑光 口红" need both words."""

    groups: tuple[tuple[Term, ...], ...]
    text: str

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def words(self) -> list[str]:
        """The runs typed, for highlighting matches."""
        return [run for _cjk, run in _runs(self.text)]


def parse(text: str | None, *, field: str = "q") -> Query:
    """A query from what someone typed. Too long is refused (ValidationFailed, 422); no
    letters or digits at all is an empty query, which matches nothing."""
    # Control characters (a NUL, which PostgreSQL refuses in text) are spaces.
    text = _CONTROL.sub(" ", text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationFailed(
            _("Search for at most %(max)s characters.") % {"max": MAX_QUERY_CHARS},
            field=field,
        )
    cjk_terms: list[Term] = []
    word_terms: list[Term] = []
    for cjk, run in _runs(text):
        if cjk:
            term = (
                Term((run,), prefix=True)
                if len(run) == 1
                else Term(tuple(_bigrams(run)), prefix=False)
            )
            cjk_terms.append(term)
        else:
            word_terms.append(Term((run,), prefix=len(run) >= MIN_PREFIX))
    groups = tuple(
        tuple(dict.fromkeys(g)) for g in (cjk_terms, word_terms) if g
    )  # a word typed twice counts once
    return Query(groups=groups, text=text)


# --- SQLite FTS5 ---------------------------------------------------------------------------


def _fts_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: every token a quoted string, so nothing typed is syntax."""
    groups = []
    for group in query.groups:
        terms = []
        for term in group:
            phrase = _fts_string(" ".join(term.tokens))
            terms.append(phrase + ("*" if term.prefix else ""))
        groups.append("(" + " AND ".join(terms) + ")")
    return " OR ".join(groups)


def fts5_document(text: str) -> str:
    return " ".join(tokens(text))


# --- PostgreSQL tsvector / tsquery ---------------------------------------------------------


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_document(text: str) -> str:
    """A tsvector literal with positions (for phrases)."""
    positions: dict[str, list[int]] = {}
    for position, token in enumerate(tokens(text), start=1):
        kept = positions.setdefault(token, [])
        if len(kept) < MAX_POSITIONS:
            kept.append(min(position, 16383))
    return " ".join(
        _lexeme(token) + ":" + ",".join(str(p) for p in found) for token, found in positions.items()
    )


def tsquery(query: Query) -> str:
    groups = []
    for group in query.groups:
        terms = []
        for term in group:
            lexemes = [_lexeme(t) for t in term.tokens]
            if term.prefix:
                lexemes[-1] += ":*"
            terms.append("(" + " <-> ".join(lexemes) + ")")
        groups.append("(" + " & ".join(terms) + ")")
    return " | ".join(groups)


# --- Both ----------------------------------------------------------------------------------


def document(texts: Sequence[str], vendor: str) -> str:
    """What the index column holds for these texts on this database."""
    text = "\n".join(t for t in texts if t)
    return tsvector_document(text) if vendor == "postgresql" else fts5_document(text)


class DocumentField(models.TextField):
    """An index column: a tsvector on PostgreSQL, the token string on SQLite (where an FTS5
    table over it, made by the migration, is what queries read)."""

    def db_type(self, connection: Any) -> str | None:
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_placeholder_sql(
        self, value: Any, compiler: Any, connection: Any
    ) -> tuple[str, tuple[Any, ...]]:
        if connection.vendor == "postgresql":
            return "%s::tsvector", (value,)
        return "%s", (value,)


def highlight_terms(query: Query) -> list[str]:
    """Words to mark in results: each typed run, longest first (so a longer match wins)."""
    return sorted({w for w in query.words if w}, key=len, reverse=True)


def index_ddl(table: str, key: str, columns: Sequence[str], vendor: str) -> list[str]:
    """The statements that make an index table searchable (for its migration): an FTS5
    table over its columns, with triggers that keep it in step, on SQLite; a GIN index over
    its last column (the one that holds everything) on PostgreSQL."""
    if vendor == "postgresql":
        return [f"CREATE INDEX {table}_gin ON {table} USING gin ({columns[-1]})"]
    names = ", ".join(columns)
    return [
        f"CREATE VIRTUAL TABLE {table}_fts USING fts5({names}, content='{table}',"
        f" content_rowid='{key}', tokenize='ascii')",
        *index_triggers_ddl(table, key, columns),
    ]


def index_triggers_ddl(table: str, key: str, columns: Sequence[str]) -> list[str]:
    """SQLite: the triggers that keep `<table>_fts` in step with `table`. A migration that
    makes Django rebuild the table (adding a NOT NULL column does) drops them with the old
    table: it makes them again with these."""
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{key}, {new});"  # noqa: S608
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{key}, {old});"  # noqa: S608
    return [
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        # Only a change of the words: other columns of the row (a product's price or stock,
        # say) change without touching the full-text index.
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END",
    ]


def index_drop_ddl(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP INDEX IF EXISTS {table}_gin"]
    return [
        *(f"DROP TRIGGER IF EXISTS {table}_{t}" for t in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {table}_fts",
    ]
