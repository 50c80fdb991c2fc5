"""Phrases become a look-up in the word-pair field and, for documents whose pairs
field holds only their frequent pairs, a check of body positions; one-field phrases
keep that field."""
from whoosh.query import Term

from registry.search.phrases import PAIRS_FIELD, BodyPhrase, FastPhrase, pairs_analyzer, pairs_text
from registry.search.whoosh_backend import WhooshBackend, build_schema


def parsed(backend, text):
    query, _ = backend.parse(text, build_schema())
    return backend._matchable(query)


def leaves(query):
    return list(query.leaves()) if not query.is_leaf() else [query]


def described(query):
    return [(type(q).__name__, q.fieldname, getattr(q, "words", None) or q.text) for q in leaves(query)]


def test_pairs_never_span_two_fields():
    tokens = [(t.text, t.pos) for t in pairs_analyzer()(pairs_text(["Signs of Safety", "Time series"]), positions=True)]
    assert tokens == [("sign safeti", 0), ("time seri", 3)]


def test_phrase_with_no_field_is_one_pairs_lookup_and_one_body_check(tmp_path):
    backend = WhooshBackend(tmp_path)
    backend.save_synonyms([])
    assert described(parsed(backend, '"signs of safety"')) == [
        ("Term", PAIRS_FIELD, "sign safeti"), ("BodyPhrase", "body", ["sign", "safeti"])]
    three = leaves(parsed(backend, '"interrupted time series"'))
    assert [type(q) for q in three] == [FastPhrase, BodyPhrase]
    assert three[0].fieldname == PAIRS_FIELD and three[0].words == ["interrupt time", "time seri"]
    assert three[1].words == ["interrupt", "time", "seri"]


def test_phrase_in_one_field_keeps_that_field(tmp_path):
    backend = WhooshBackend(tmp_path)
    backend.save_synonyms([])
    method = parsed(backend, 'method:"interrupted time series"')
    assert isinstance(method, FastPhrase) and method.fieldname == "method"
    summary = leaves(parsed(backend, 'summary:"signs of safety"'))  # the body: pairs and positions
    assert summary[0] == Term(PAIRS_FIELD, "sign safeti") and isinstance(summary[1], BodyPhrase)


def test_synonym_expansion_merges_its_phrases_too(tmp_path):
    backend = WhooshBackend(tmp_path)
    backend.save_synonyms([("its", "interrupted time series")])
    query = parsed(backend, "ITS children")
    assert [(type(q).__name__, q.fieldname) for q in query.leaves()] == [
        ("FastPhrase", PAIRS_FIELD), ("BodyPhrase", "body"),
        ("Term", "title"), ("Term", "body"), ("Term", "method"), ("Term", "meta"),
    ]
