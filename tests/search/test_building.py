"""Whole builds (registry/search/building.py) and saves (its `update_writer`) write
the same index as whoosh's own writer and codec: every term's postings and every
stored entry, in one process or split between two."""
import pytest
from whoosh.codec.whoosh3 import W3Codec

from registry.search import building
from tests.search.test_whoosh_layout import Corpus, backend_with

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a process with threads


@pytest.fixture(scope="module")
def corpus():
    c = Corpus(vocabulary=3000)
    return [c.evaluation(pk) for pk in range(1, 151)], [c.document(pk, 2500) for pk in range(1, 4)]


def build(folder, corpus, build_procs=0):
    """build_procs: 0 for whoosh's own writer and codec, else the whole-build writer."""
    backend = backend_with(folder)
    evaluations, documents = corpus
    if build_procs:
        backend._write(lambda writer: backend.add_entries(writer, evaluations, documents), build_procs=build_procs)
    else:
        writer = backend._index().writer()
        backend.add_entries(writer, evaluations, documents)
        writer.commit()
    return backend


def contents(backend, blocks=False):
    """{(field, term): (term statistics, sorted postings)} and {uid: stored fields}.
    A posting is (uid, weight, value), plus its block's statistics (which scoring
    uses to skip blocks) when `blocks`; docnums and blocks differ between a
    one-segment and a two-segment index, uids and term statistics do not."""
    postings, stored = {}, {}
    with backend._reading() as searcher:
        reader = searcher.reader()
        uids = {docnum: fields["uid"] for docnum, fields in reader.iter_docs()}
        stored = {fields["uid"]: fields for _, fields in reader.iter_docs()}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            statistics = (info.doc_frequency(), round(info.weight(), 3), info.min_length(),
                          info.max_length(), round(info.max_weight(), 4))
            matcher = reader.postings(fieldname, text)
            found = []
            while matcher.is_active():
                posting = (uids[matcher.id()], round(matcher.weight(), 4), matcher.value())
                if blocks:
                    posting += (matcher.block_min_length(), matcher.block_max_length(),
                                round(matcher.block_max_weight(), 4))
                found.append(posting)
                matcher.next()
            postings[fieldname, text] = statistics, sorted(found)
    return postings, stored


@pytest.fixture(params=["in memory", "spilling runs"])
def sort_buffer(request, monkeypatch):
    """The build's sort buffer: large enough for the corpus, or 1 MB, so that its
    postings are spilled to disk in many sorted runs and merged back."""
    if request.param == "spilling runs":
        monkeypatch.setattr(building, "BUILD_LIMITMB", 1)
    return request.param


def test_saves_write_what_whooshs_writer_writes(tmp_path, corpus):
    """index_documents and single saves go through update_writer (BuildCodec)."""
    expected = contents(build(tmp_path / "default", corpus), blocks=True)
    backend = backend_with(tmp_path / "saved")
    evaluations, documents = corpus
    backend._write(lambda writer: backend.add_entries(writer, evaluations, documents))
    assert contents(backend, blocks=True) == expected


def test_one_process_build_writes_what_whooshs_writer_writes(tmp_path, corpus, sort_buffer):
    expected = contents(build(tmp_path / "default", corpus), blocks=True)
    built = contents(build(tmp_path / "built", corpus, build_procs=1), blocks=True)
    assert len(expected[0]) > 10000  # terms of every field, pairs included
    assert built == expected


def test_two_process_build_writes_the_same_entries_in_two_segments(tmp_path, corpus, sort_buffer):
    expected = contents(build(tmp_path / "default", corpus))
    backend = build(tmp_path / "built", corpus, build_procs=2)
    with backend._reading() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
    # Segments name whoosh's own codec, so reading never needs the build's.
    assert {type(segment.codec()) for segment in backend._index()._segments()} == {W3Codec}
    assert contents(backend) == expected
