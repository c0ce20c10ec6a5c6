"""Recall and precision of Chinese segmentations on the committed test set
(tests/core/zh_search_set.py), each through a real SQLite FTS5 index in memory:

- bigrams: Storefeed's (core/fulltext.py: character bigrams plus each run's last character);
- FTS5's `trigram` tokenizer (MATCH; queries under three characters find nothing through
  the index, and fall back to a full scan with LIKE);
- FTS5's default `unicode61` tokenizer (a run of Chinese characters is one token);
- jieba (`cut_for_search` for posts, `cut` for queries), if it is installed
  (`pip install jieba`; it is not a dependency of Storefeed).

Run: .venv/bin/python bench/search_recall.py
"""

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parent.parent),
    str(Path(__file__).parent.parent / "src"),
]

from tests.core.zh_search_set import DOCS, QUERIES  # noqa: E402

from storefeed.core import fulltext  # noqa: E402

Search = Callable[[str], set[int]]


def _fts(tokenize: str, documents: list[str]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize={tokenize!r})")
    db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(documents))
    return db


def _run(db: sqlite3.Connection, match: str) -> set[int]:
    if not match:
        return set()
    return {row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH ?", [match])}


def bigrams() -> Search:
    db = _fts("ascii", [fulltext.fts5_document(d) for d in DOCS])
    return lambda q: _run(db, fulltext.fts5_match(fulltext.parse(q)))


def _quoted_words(q: str, *, minimum: int = 1) -> str:
    words = [w for w in q.split() if len(w) >= minimum]
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def trigram() -> Search:
    db = _fts("trigram", DOCS)
    return lambda q: _run(db, _quoted_words(q, minimum=3))


def unicode61() -> Search:
    db = _fts("unicode61", DOCS)
    return lambda q: _run(db, _quoted_words(q))


def jieba_search() -> Search | None:
    try:
        import jieba  # type: ignore[import-not-found]
    except ImportError:
        return None
    jieba.setLogLevel(60)
    db = _fts("ascii", [" ".join(jieba.cut_for_search(d.lower())) for d in DOCS])

    def search(q: str) -> set[int]:
        groups = []
        for part in q.split():
            words = [w for w in jieba.cut(part.lower()) if w.strip()]
            groups.append(" AND ".join('"' + w + '"' for w in words))
        return _run(db, " OR ".join(f"({g})" for g in groups if g))

    return search


def score(search: Search) -> tuple[float, float, list[str]]:
    found_relevant = relevant = returned = 0
    missed = []
    for query, wanted in QUERIES.items():
        got = search(query)
        found_relevant += len(got & wanted)
        relevant += len(wanted)
        returned += len(got)
        if wanted - got:
            missed.append(query)
    return found_relevant / relevant, found_relevant / max(returned, 1), missed


def main() -> None:
    print(f"{len(DOCS)} posts, {len(QUERIES)} queries, {sum(map(len, QUERIES.values()))} relevant")
    print(f"{'segmentation':<28} {'recall':>7} {'precision':>9}  queries with misses")
    methods = {
        "bigrams (Storefeed)": bigrams(),
        "FTS5 trigram (MATCH)": trigram(),
        "FTS5 unicode61": unicode61(),
        "jieba": jieba_search(),
    }
    for name, search in methods.items():
        if search is None:
            print(f"{name:<28} not installed")
            continue
        recall, precision, missed = score(search)
        print(f"{name:<28} {recall:7.1%} {precision:9.1%}  {' '.join(missed) or '-'}")


if __name__ == "__main__":
    main()
