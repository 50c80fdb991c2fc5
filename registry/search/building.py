"""Writers for whole-index builds: postings gathered per term, two processes.

whoosh's writer appends every posting to a list as a tuple, sorts the list,
spills it to disk every 128 MB and merges the spilled runs back through a heap:
a fifth of a build's time. A whole build instead gathers each term's postings
under the term as documents arrive. Documents arrive in order, so each term's
postings are already sorted: only the terms need sorting, and a run is spilled
only when the buffer outgrows its (larger) limit. Each of the build's
processes keeps its own segment, so nothing is merged at the end.

The term lists are containers Python's cycle collector would walk again and
again as they pile up (whoosh's posting tuples hold only numbers and bytes, so
the collector leaves them alone); builds create no cycles worth collecting, so
the collector is paused while they run.

Only fresh builds use these writers: they rely on documents being added in
order to an empty segment, which saves and merges do not guarantee.
"""
import gc
from contextlib import contextmanager

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import PostingPool, SegmentWriter

BUILD_LIMITMB = 1024  # per process: whoosh's writer spills every 128 MB
# Rough sizes in memory, to keep a build within BUILD_LIMITMB per process.
TERM_BYTES = 240  # key tuple, term bytes, list, dict slot
POSTING_BYTES = 88  # three list slots, a float, the value's bytes object


class TermPool(PostingPool):
    """A PostingPool that keeps {(field, term): [docnum, weight, value, ...]}."""

    def __init__(self, tempstore, segment, limitmb, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.terms = {}

    def add(self, item):
        fieldname, text, docnum, weight, value = item
        postings = self.terms.get((fieldname, text))
        if postings is None:
            postings = self.terms[fieldname, text] = []
            self.fieldnames.add(fieldname)
            self.currentsize += TERM_BYTES + len(text)
        postings += (docnum, weight, value)
        self.currentsize += POSTING_BYTES + (len(value) if value else 0)
        if self.currentsize > self.limit:
            self.save()

    def _sorted_items(self, terms):
        for key in sorted(terms):
            fieldname, text = key
            postings = terms[key]
            for i in range(0, len(postings), 3):
                yield fieldname, text, postings[i], postings[i + 1], postings[i + 2]

    def save(self):
        if self.terms:
            path, f = self._new_run()
            self._write_run(f, self._sorted_items(self.terms))
            self._add_run(path)
            self.terms = {}
        self.currentsize = 0

    def items(self, maxfiles=128):
        if not self.runs:
            terms, self.terms = self.terms, {}
            return self._sorted_items(terms)
        self.save()
        if maxfiles < len(self.runs):
            self.reduce_to(maxfiles, maxfiles)
        runs, self.runs = self.runs, []
        return self._merge_runs(runs)


def use_term_pool(writer):
    """Give a SegmentWriter that has not added anything a TermPool (whoosh's
    SegmentWriter takes a poolclass argument but ignores it)."""
    pool = writer.pool
    writer.pool = TermPool(pool.tempstore, pool.segment, limitmb=pool.limit / (1024 * 1024))
    return writer


@contextmanager
def paused_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _TermPoolTask(SubWriterTask):
    def run(self):
        gc.disable()  # this process only builds, then exits
        super().run()

    def _process_file(self, filename, doc_count):
        if not isinstance(self.writer.pool, TermPool):
            use_term_pool(self.writer)
        super()._process_file(filename, doc_count)


class ParallelBuildWriter(MpWriter):
    """whoosh's MpWriter (the parent hands documents to sub-processes in batches
    through temporary files) whose sub-writers gather postings in TermPools and
    keep their own segments."""

    def __init__(self, ix, procs, limitmb, **kwargs):
        super().__init__(ix, procs=procs, limitmb=limitmb, multisegment=True, **kwargs)

    def _new_task(self):
        task = _TermPoolTask(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                             self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def build_writer(ix, procs, limitmb=None, **kwargs):
    """A writer for adding every entry to an empty index."""
    limitmb = limitmb or BUILD_LIMITMB
    if procs > 1:
        return ParallelBuildWriter(ix, procs, limitmb=limitmb, **kwargs)
    return use_term_pool(SegmentWriter(ix, limitmb=limitmb, **kwargs))
