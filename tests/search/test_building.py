"""Whole builds (registry/search/building.py) write the same index as whoosh's
default writer: every term's postings and every stored entry, in one process
or split between two."""
import pytest

from registry.management.commands.bench_search import Command, Corpus

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a process with threads


@pytest.fixture(scope="module")
def corpus():
    c = Corpus(vocabulary=3000)
    return [c.evaluation(pk) for pk in range(1, 151)], [c.document(pk, 2500) for pk in range(1, 4)]


def build(folder, corpus, build_procs=0):
    command = Command()
    backend = command.backend(folder, [("rct", "randomised controlled trial")])
    evaluations, documents = corpus
    command.build(backend, evaluations, documents, build_procs=build_procs)
    return backend


def contents(backend):
    """{(field, term): sorted [(uid, weight, value)]} and {uid: stored fields}: docnums
    differ between a one-segment and a two-segment index, uids do not."""
    postings, stored = {}, {}
    with backend._reading() as searcher:
        reader = searcher.reader()
        uids = {docnum: fields["uid"] for docnum, fields in reader.iter_docs()}
        stored = {fields["uid"]: fields for _, fields in reader.iter_docs()}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            found = []
            while matcher.is_active():
                found.append((uids[matcher.id()], round(matcher.weight(), 4), matcher.value()))
                matcher.next()
            postings[fieldname, text] = sorted(found)
    return postings, stored


def test_one_process_build_writes_what_whooshs_writer_writes(tmp_path, corpus):
    expected = contents(build(tmp_path / "default", corpus))
    built = contents(build(tmp_path / "built", corpus, build_procs=1))
    assert len(expected[0]) > 10000  # terms of every field, pairs included
    assert built == expected


def test_two_process_build_writes_the_same_entries_in_two_segments(tmp_path, corpus):
    expected = contents(build(tmp_path / "default", corpus))
    backend = build(tmp_path / "built", corpus, build_procs=2)
    with backend._reading() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
    assert contents(backend) == expected
