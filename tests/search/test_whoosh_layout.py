"""The whoosh index's layout (registry/search/phrases.py): a document's text analysed
once, positions packed in the body, pairs only of a document's frequent words, and
phrases that still match exactly where the words stand in a row, on a real index."""
import random

import pytest
from whoosh.query import Term

from registry.search import SearchQuery
from registry.search.phrases import (
    FREQUENT,
    PAIRS_FIELD,
    PARTIAL,
    SEPARATOR,
    BodyPhrase,
    WordStems,
    pack_positions,
    unpack_positions,
    word_analyzer,
)
from registry.search.whoosh_backend import WhooshBackend

SYLLABLES = ["ka", "lo", "mi", "ten", "sor", "vel", "an", "dri", "pus", "er", "gal", "num", "ti", "ox", "bre"]


class Corpus:
    """Deterministic entries in the shape entries.py gives: documents of Zipf-distributed
    made-up words (a few very common, most rare) and short records."""

    def __init__(self, seed=14, vocabulary=4000):
        self.random = random.Random(seed)
        words = set()
        while len(words) < vocabulary:
            words.add("".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 4))))
        self.words = sorted(words)
        self.random.shuffle(self.words)
        self.weights = [1 / rank ** 1.07 for rank in range(1, vocabulary + 1)]

    def text(self, n):
        return " ".join(self.random.choices(self.words, weights=self.weights, k=n))

    def document(self, pk, words, passage_words=300):
        text = self.text(words).split()
        passages = [" ".join(text[i:i + passage_words]) for i in range(0, len(text), passage_words)]
        return {"kind": "document", "pk": pk, "title": self.text(6), "passages": passages, "stage": "",
                "year": ["2020"], "doc_kind": "report", "sort_date": 202001, "f_kind": ["report"],
                "f_year": ["2020"], "display": {"url": f"/documents/{pk}/"}}

    def evaluation(self, pk):
        return {"kind": "evaluation", "pk": pk, "title": self.text(8), "body": self.text(200),
                "method": "Interrupted time series analysis", "type": "Impact", "department": ["dept-1"],
                "department_name": "Department One", "organisation": self.text(2), "programme": self.text(2),
                "place": self.text(1), "policy": self.text(2), "stage": "complete", "year": ["2021"],
                "doc_kind": "", "sort_date": 202101, "f_type": ["impact"], "f_method": ["interrupted"],
                "f_department": ["dept-1"], "f_stage": ["complete"], "f_year": ["2021"],
                "display": {"slug": f"record-{pk}", "url": f"/evaluations/record-{pk}/"}}


def text_bytes(evaluations, documents):
    return (sum(len(e["title"]) + len(e["body"]) for e in evaluations)
            + sum(len(p) for d in documents for p in d["passages"]))


def backend_with(folder, evaluations=(), documents=(), batch=4):
    """A backend (no database) holding the entries, written as index_documents writes
    them: batches on the ordinary writer, one segment each."""
    backend = WhooshBackend(folder)
    backend.save_synonyms([])
    backend.facet_labels = lambda raw: {}
    if evaluations:
        backend._write(lambda writer: backend.add_entries(writer, evaluations))
    for start in range(0, len(documents), batch):
        part = documents[start:start + batch]
        backend._write(lambda writer, part=part: backend.add_entries(writer, (), part))
    return backend


@pytest.fixture(autouse=True)
def words_only(settings):
    """These indexes are built from a synthetic corpus with no database behind them;
    meaning-based search reads its vectors from the database, and is not what they test."""
    settings.REGISTRY_MEANING_SEARCH = False


@pytest.fixture(scope="module")
def corpus():
    c = Corpus()
    return c, [c.evaluation(pk) for pk in range(1, 41)], [c.document(pk, 4000) for pk in range(1, 13)]


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory):
    _, evaluations, documents = corpus
    return backend_with(tmp_path_factory.mktemp("layout"), evaluations, documents)


def test_word_stems_are_what_the_analyzer_gives():
    analyzer = word_analyzer()
    text = ("The ΟΔΟΣ evaluated 3.5 e.g. U.K. İstanbul a*b co-operate it's Evaluations’ x_y __init__ 2nd "
            "...a..b naïve ÆSIR of and the I a Randomised randomized RCTs, (IPW) time-series 2019/20")
    assert WordStems(analyzer)(text) == [t.text for t in analyzer(text)]
    assert WordStems(analyzer)("") == []


def test_packed_positions_round_trip_short_and_long_documents():
    for positions in ([], [0], [3, 70, 65535], [1, 65536, 10**6]):
        assert list(unpack_positions(pack_positions(positions))) == positions
    assert len(pack_positions(list(range(1000)))) == 1 + 2 * 1000  # two bytes a position below 65,536


def test_index_size_is_the_folder_size(index):
    assert index.index_size() == sum(p.stat().st_size for p in index.path.rglob("*") if p.is_file())
    assert WhooshBackend(index.path.parent / "nowhere").index_size() == 0


def test_index_is_under_three_times_the_text(tmp_path):
    """24 reports of 10,000 words, written in two batches as ingest writes them (every
    pair indexed made this 12 times the text). Small segments cost more per word
    than large ones, so this bounds the issue's size from above."""
    documents = [Corpus(seed=7, vocabulary=30000).document(pk, 10000) for pk in range(1, 25)]
    backend = backend_with(tmp_path, documents=documents, batch=12)
    assert backend.index_size() < 3 * text_bytes([], documents)


def test_documents_hold_pairs_of_their_frequent_words_only(index, corpus):
    _, _, documents = corpus
    stems = WordStems(word_analyzer())
    every_pair, frequent_pairs = set(), set()
    for document in documents:
        tokens = [s for p in document["passages"] for s in stems(p)]
        counts = {t: tokens.count(t) for t in set(tokens)}
        for a, b in zip(tokens, tokens[1:], strict=False):
            every_pair.add(a + SEPARATOR + b)
            if counts[a] >= FREQUENT and counts[b] >= FREQUENT:
                frequent_pairs.add(a + SEPARATOR + b)
    with index._reading() as searcher:
        held = {text.decode() for field, text in searcher.reader().all_terms() if field == PAIRS_FIELD}
        assert searcher.doc_frequency(PAIRS_FIELD, PARTIAL) == len(documents)  # records hold all their pairs
    assert frequent_pairs <= held
    assert len(frequent_pairs) * 4 < len(every_pair)
    assert len(every_pair - held) > 0.7 * len(every_pair)


def phrase_truth(entries, words):
    """(kind, pk) of the entries whose title or body has these stems in a row."""
    stems = WordStems(word_analyzer())
    found = set()
    for entry in entries:
        texts = [entry["title"]] + (entry["passages"] if entry["kind"] == "document" else [entry["body"]])
        body = [s for t in texts[1:] for s in stems(t)]  # passages run together
        for tokens in (stems(texts[0]), body):
            if any(tokens[i:i + len(words)] == words for i in range(len(tokens) - len(words) + 1)):
                found.add((entry["kind"], entry["pk"]))
    return found


def phrase_hits(backend, words):
    """(kind, pk) of the documents a quoted phrase of these words finds."""
    results = backend.search(SearchQuery(text='"' + " ".join(words) + '"', kinds=("document",), page_size=100,
                                         facets=False))
    return {(hit.kind, hit.pk) for hit in results.hits}


def test_phrases_match_exactly_where_words_stand_in_a_row(index, corpus):
    """Phrases of common words (answered by pairs), of rare words and mixed ones
    (answered by positions), and orders that never occur, against the texts."""
    _, _, documents = corpus
    stems = WordStems(word_analyzer())
    r = random.Random(3)
    words = [" ".join(d["passages"]).split() for d in documents]
    tokens = [stems(" ".join(d["passages"])) for d in documents]
    assert [len(w) for w in words] == [len(t) for t in tokens]  # made-up words: one stem each
    counts = [{t: ts.count(t) for t in set(ts)} for ts in tokens]
    kinds = {"frequent": 0, "rare": 0, "mixed": 0}
    for _ in range(120):
        n = r.choice([2, 2, 3])
        d = r.randrange(len(documents))
        start = r.randrange(len(tokens[d]) - n)
        phrase, phrase_stems = words[d][start:start + n], tokens[d][start:start + n]
        if r.random() < 0.3:  # often found nowhere in that order
            phrase, phrase_stems = phrase[::-1], phrase_stems[::-1]
        frequent = [counts[d].get(w, 0) >= FREQUENT for w in phrase_stems]
        kinds["frequent" if all(frequent) else "rare" if not any(frequent) else "mixed"] += 1
        assert phrase_hits(index, phrase) == phrase_truth(documents, phrase_stems), phrase
    assert min(kinds.values()) >= 10, kinds


def test_phrase_of_words_frequent_in_one_document_and_rare_in_another(tmp_path):
    """Whether a pair is indexed is decided per document: the same phrase is answered
    by the pairs in one document and by positions in the other."""
    common = " ".join(["wombat quokka"] * FREQUENT)
    documents = [
        {**Corpus().document(1, 10), "passages": [common + " numbat"]},
        {**Corpus().document(2, 10), "passages": ["filler wombat quokka filler quokka wombat"]},
        {**Corpus().document(3, 10), "passages": ["wombat filler quokka " * FREQUENT]},
    ]
    backend = backend_with(tmp_path, documents=documents, batch=2)
    assert phrase_hits(backend, ["wombat", "quokka"]) == {("document", 1), ("document", 2)}
    assert phrase_hits(backend, ["quokka", "wombat"]) == {("document", 1), ("document", 2), ("document", 3)}
    assert phrase_hits(backend, ["quokka", "numbat"]) == {("document", 1)}
    assert phrase_hits(backend, ["wombat", "quokka", "wombat"]) == {("document", 1)}
    assert phrase_hits(backend, ["filler", "quokka", "filler"]) == set()
    with backend._reading() as searcher:
        assert searcher.doc_frequency(PAIRS_FIELD, "wombat quokka") == 1  # document 1's frequent pair only


def test_phrase_query_reads_pairs_and_body_positions(tmp_path):
    backend = WhooshBackend(tmp_path)
    backend.save_synonyms([])
    query, _ = backend.parse('"wombat quokka"', backend._index().schema)
    pairs, positions = backend._matchable(query).leaves()
    assert pairs == Term(PAIRS_FIELD, "wombat" + SEPARATOR + "quokka")
    assert isinstance(positions, BodyPhrase) and positions.fieldname == "body"
    assert positions.words == ["wombat", "quokka"]


def test_snippet_passage_comes_from_body_positions(index, corpus):
    _, _, documents = corpus
    document = documents[0]
    stems = WordStems(word_analyzer())
    # A word found in one passage of the document only: the hit shows that passage.
    for number, passage in enumerate(document["passages"]):
        others = {s for n, p in enumerate(document["passages"]) if n != number for s in stems(p)}
        unique = [w for w in passage.split() if stems(w) and stems(w)[0] not in others]
        if unique:
            break
    results = index.search(SearchQuery(text=unique[0], kinds=("document",), facets=False, page_size=100))
    hit = next(h for h in results.hits if h.pk == document["pk"])
    assert hit.extra["passage"] == number
    assert f"<mark>{unique[0]}</mark>" in hit.snippet


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a process with threads
def test_two_process_build_shows_the_same_passages(index, corpus, tmp_path):
    """A build's two processes may split a document from its passages; snippets
    still come from the same passage."""
    _, evaluations, documents = corpus
    built = backend_with(tmp_path)
    built._write(lambda writer: built.add_entries(writer, evaluations, documents), build_procs=2)
    for word in (documents[3]["passages"][5].split()[7], documents[8]["title"].split()[0]):
        query = SearchQuery(text=word, kinds=("document",), facets=False, page_size=100)
        expected = {(h.pk, h.extra["passage"], h.snippet) for h in index.search(query).hits}
        assert expected
        assert {(h.pk, h.extra["passage"], h.snippet) for h in built.search(query).hits} == expected
