"""Writers for whole-index builds: two processes, larger sort buffers, no final
merge, and a quicker path from the sorted postings to the files.

A build sorts every posting it writes. whoosh's writer spills its sort buffer to
disk every 128 MB and merges the spilled runs back at the end; a whole build
gives each of two processes a 1 GB buffer (fewer runs to merge) and keeps each
process's segment as it is instead of merging the two into one.

At the issue's size (232 MB of text) each process still spills its buffer
several times, and whoosh's pool makes one pickle call per posting to write a
run and another to read it back. `RunPool` writes and reads a run a marshal
chunk of 20,000 postings at a time: that took the build from 2.0x to 2.2x over
whoosh's default writer (README, "Benchmarks").

Writing the sorted postings out is then more than half of a build, and most of
it is paid per posting or per term. `BuildCodec` writes the same files as
whoosh's codec (they are read back by whoosh's own `W3Codec`) with less work:
each document's field length is looked up once per field instead of once per
posting, postings are appended without whoosh's per-posting type checks, and
blocks of a few postings are not run through zlib (whoosh means to skip tiny
blocks too, but the check is dead code; most terms are word pairs found once).

Tried and dropped: gathering postings per term in a dict, so that only the terms
need sorting, was 20% faster than whoosh's pool on 10 MB of text but slower on
232 MB (1.72x over whoosh's default writer instead of 2.00x), where millions of
per-term lists cost more than the sort they save.

Every write goes through `BuildCodec`: whole builds, saves and batches of documents
(`update_writer`, whoosh's ordinary writer otherwise) and merges, so all segments
are laid out alike. Beyond the above it pickles each block (and the postings kept in
a term's entry) with protocol 4: whoosh's protocol 2 writes every bytes value, such
as a posting's positions, as a call re-encoding a latin-1 string (78 bytes for a
3-byte posting); that took an index of 100 reports from 3.08x the text to 2.31x.
Packed positions (phrases.PackedPositions) are not compressed (see whoosh_backend.py).

Batches: `index_documents` writes a batch with one writer in this process, not the
two-process build writer. Measured on 100 reports of 20,000 words in batches of 50,
same run, a shared 2-core machine: one process 16.9 s of CPU; two processes 18.0 s
(5.1 s here analysing the text and handing it over, 12.9 s in the two children), no
faster in wall time, and each batch left two segments of half the size: 3.07x the
text instead of 2.31x, and every query pays per segment. Forking a process that runs
threads (a server, the background merge) can also deadlock the child.
"""
import marshal
import zlib
from itertools import islice
from pickle import dumps

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    W3Segment,
    W3TermInfo,
)
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from registry.search.phrases import PackedPositions

BUILD_LIMITMB = 1024  # per process: whoosh's writer spills every 128 MB
UNCOMPRESSED_BLOCK = 4  # postings: zlib adds 6 bytes and finds nothing to share
RUN_CHUNK = 20000  # postings per marshal call in a spilled run
# whoosh pickles postings with protocol 2, which writes each bytes value (a posting's
# positions) as a call to re-encode a latin-1 string: 78 bytes for a 3-byte value,
# a third more for a long one. whoosh's reader unpickles any protocol.
PICKLE_PROTOCOL = 4


def build_writer(ix, procs, limitmb=None, **kwargs):
    """A writer for adding every entry to an empty index."""
    limitmb = limitmb or BUILD_LIMITMB
    kwargs.setdefault("codec", BuildCodec())
    if procs > 1:
        return _MpWriter(ix, procs=procs, limitmb=limitmb, multisegment=True, **kwargs)
    return use_run_pool(SegmentWriter(ix, limitmb=limitmb, **kwargs), limitmb)


def update_writer(ix, limitmb=128, **kwargs):
    """whoosh's ordinary writer (for saves, batches and merges), writing through
    `BuildCodec`, so that every segment is laid out alike."""
    return use_run_pool(SegmentWriter(ix, limitmb=limitmb, codec=BuildCodec(), **kwargs), limitmb)


def use_run_pool(writer, limitmb):
    """Give a writer that has not been added to a `RunPool` (whoosh's writer takes
    no pool class: its `poolclass` argument is ignored)."""
    if not isinstance(writer.pool, RunPool):
        writer.pool = RunPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer


class RunPool(PostingPool):
    """whoosh's posting pool, spilling each sorted run in chunks of postings, one
    marshal call per chunk, where whoosh makes a pickle call per posting to write
    it and another to read it back."""

    def add(self, item):
        # item = (fieldname, text bytes, docnum, weight, value bytes): whoosh's size
        # estimate for it, without its per-posting type checks.
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)
        self.fieldnames.add(item[0])

    def _write_run(self, f, items):
        items = iter(items)
        try:
            while chunk := list(islice(items, RUN_CHUNK)):
                marshal.dump(chunk, f)
        finally:
            f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class _Task(SubWriterTask):
    def _process_file(self, filename, doc_count):
        use_run_pool(self.writer, self.kwargs["limitmb"])
        super()._process_file(filename, doc_count)


class _MpWriter(MpWriter):
    """whoosh's multi-process writer with `RunPool`s in its sub-processes."""

    def __init__(self, ix, limitmb, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        use_run_pool(self, limitmb)

    def _new_task(self):
        task = _Task(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                     self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


class BuildCodec(W3Codec):
    """whoosh's file format, written with less work per posting and per term."""

    def new_segment(self, storage, indexname):
        # A segment records its codec for the readers: record whoosh's, so that
        # reading an index never depends on this module.
        return W3Segment(W3Codec(self._blocklimit, self._compression, self._inlinelimit), indexname)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile, self._blocklimit, byteids=byteids,
            compression=self._compression, inlinelimit=self._inlinelimit,
        )


class _FieldWriter(W3FieldWriter):
    def start_term(self, btext):
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, _TermInfo())

    def start_field(self, fieldname, fieldobj):
        super().start_field(fieldname, fieldobj)
        if isinstance(fieldobj.format, PackedPositions):
            # Packed positions are left uncompressed: zlib saves little on them, and
            # unzipping a common word's blocks cost more than the rest of a query.
            self._postwriter._compression = 0

    def add_postings(self, schema, lengths, items):  # noqa: C901 - whoosh's own loop, once per posting: no calls added
        """whoosh's loop (FieldWriter.add_postings), with the field lengths of a
        field's documents remembered until the next field."""
        lastfn = lasttext = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"field {lastfn!r} before {fieldname!r}")
                if lasttext is not None:
                    self.finish_term()
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                add = self._postwriter.add_posting
                lastfn, lasttext, known = fieldname, None, {}
            if docnum == -1:  # whoosh's marker for spelling-only words
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError(f"{fieldname}: term {lasttext!r} before {btext!r}")
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
            length = known.get(docnum)
            if length is None:
                length = known[docnum] = lengths.doc_field_length(docnum, fieldname) if lengths else 0
            add(docnum, weight, value or b"", length)
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


class _PostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        """whoosh's add_posting without its per-posting type checks: the pool's
        postings came from whoosh's own analysis."""
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self, last=False):
        """whoosh's W3PostingsWriter._write_block (whoosh-reloaded 2.7.5), with the
        block pickled with protocol 4 and blocks of a few postings not compressed."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), PICKLE_PROTOCOL)
        level = self._compression if len(self._ids) > UNCOMPRESSED_BLOCK else 0  # the block records its level
        if level:
            databytes = zlib.compress(databytes, level)
        ids = self._ids
        infobytes = dumps((len(ids), ids[-1], self._maxweight, level, length_to_byte(self._minlength),
                           length_to_byte(self._maxlength)), 2)
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)  # negative: the term's last block
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class _TermInfo(W3TermInfo):
    def to_bytes(self):
        """whoosh's W3TermInfo.to_bytes, with the postings of a term found once (kept
        in the term's entry) pickled with protocol 4."""
        if not self.is_inlined():
            return super().to_bytes()
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        minid = 0xFFFFFFFF if self._minid is None else self._minid
        maxid = 0xFFFFFFFF if self._maxid is None else self._maxid
        packed = self._struct.pack(True, self._weight, self._df, minlength, length_to_byte(self._maxlength),
                                   self._maxweight, minid, maxid)
        return packed + dumps(self._inlined, PICKLE_PROTOCOL)
