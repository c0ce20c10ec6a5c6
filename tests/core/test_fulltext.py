"""Segmentation and query building (core/fulltext.py), and recall on the Chinese test set
through the real index of the database under test (SQLite FTS5 or PostgreSQL tsvector)."""

import pytest
from django.core.management import call_command

from storefeed.core import fulltext
from storefeed.core.errors import ValidationFailed
from storefeed.posts.models import Status, StatusSearch
from storefeed.posts.search import status_search_ids
from storefeed.posts.services import status_create
from tests.core.zh_search_set import DOCS, QUERIES


def test_tokens_cut_chinese_into_bigrams_and_other_text_into_words():
    assert fulltext.tokens("买口红") == ["买口", "口红", "红"]
    assert fulltext.tokens("茶") == ["茶"]
    assert fulltext.tokens("Velvet LIPSTICK，哑光口红!") == [
        "velvet",
        "lipstick",
        "哑光",
        "光口",
        "口红",
        "红",
    ]
    assert fulltext.tokens("ｌｉｐ＃２０２５ snake_case") == ["lip", "2025", "snake", "case"]
    assert fulltext.tokens("x" * 100) == ["x" * fulltext.MAX_WORD]


def test_queries_group_by_language_and_quote_every_token():
    query = fulltext.parse('口红 "lip*" OR NEAR')
    assert query.groups == (
        (fulltext.Term(("口红",), prefix=False),),
        (
            fulltext.Term(("lip",), prefix=True),
            fulltext.Term(("or",), prefix=False),
            fulltext.Term(("near",), prefix=True),
        ),
    )
    assert fulltext.fts5_match(query) == '("口红") OR ("lip"* AND "or" AND "near"*)'
    assert fulltext.tsquery(query) == "(('口红')) | (('lip':*) & ('or') & ('near':*))"
    assert fulltext.fts5_match(fulltext.parse("哑光口红")) == '("哑光 光口 口红")'
    assert fulltext.tsquery(fulltext.parse("红")) == "(('红':*))"
    assert fulltext.parse("%_*\"'").empty
    assert fulltext.parse("  ").empty


def test_literals_escape_quotes():
    # Tokens are letters and digits only, but the literals are safe whatever they hold.
    assert fulltext._lexeme("it's") == "'it''s'"
    assert fulltext._lexeme("a\\b") == "'a\\\\b'"
    assert fulltext._fts_string('say "hi"') == '"say ""hi"""'
    assert fulltext.tsvector_document("tea tea 茶") == "'tea':1,2 '茶':3"


def test_long_queries_are_refused():
    fulltext.parse("x" * fulltext.MAX_QUERY_CHARS)
    with pytest.raises(ValidationFailed) as refused:
        fulltext.parse("x" * (fulltext.MAX_QUERY_CHARS + 1))
    assert refused.value.field == "q"


@pytest.mark.django_db
def test_recall_on_the_chinese_test_set(alice):
    """Every post a person judged relevant is found (recall 100%); the bigrams' known
    false matches (北京大学 in 北京大学生, 和服 in 我和服务员) keep precision a little under."""
    ids = [status_create(account=alice, text=text).pk for text in DOCS]
    position = {pk: n for n, pk in enumerate(ids)}
    relevant = found_relevant = returned = 0
    for query, wanted in QUERIES.items():
        got = {
            position[pk]
            for pk in status_search_ids(viewer=alice, query=fulltext.parse(query), limit=40)
        }
        assert wanted <= got, query
        found_relevant += len(got & wanted)
        relevant += len(wanted)
        returned += len(got)
    assert found_relevant == relevant
    assert found_relevant / returned >= 0.95


@pytest.mark.django_db
def test_rebuild_command_writes_every_row_again(alice):
    tea = status_create(account=alice, text="乌龙茶 oolong")
    StatusSearch.objects.all().delete()
    assert status_search_ids(viewer=alice, query=fulltext.parse("乌龙")) == []
    call_command("search_rebuild")
    assert status_search_ids(viewer=alice, query=fulltext.parse("乌龙")) == [tea.pk]
    assert StatusSearch.objects.count() == Status.objects.count() == 1
