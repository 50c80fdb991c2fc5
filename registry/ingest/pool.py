"""Text extraction for a collection of files, in worker processes.

Extraction is a pure function of a file's bytes and name, so the workers need
nothing else: no Django, no database. They are spawned, not forked, because the
process running ingest may hold database connections and a search-index thread
that a forked child would inherit mid-flight.
"""
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from registry.ingest.extractors import UnreadableDocument, extract


def _leave_interrupts_to_the_parent():
    """Ctrl-C reaches every process of the terminal; the parent stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Extractor:
    """submit(data, name) starts reading a file; result(...) is (text, media_type)
    or the UnreadableDocument saying why not. With jobs=0 it reads in this process."""

    def __init__(self, jobs=0):
        self.pool = None
        if jobs:
            self.pool = ProcessPoolExecutor(jobs, mp_context=get_context("spawn"),
                                            initializer=_leave_interrupts_to_the_parent)

    def submit(self, data, name):
        if self.pool is not None:
            return self.pool.submit(extract, data, name)
        return self.read_here(data, name)

    @staticmethod
    def read_here(data, name):
        try:
            return extract(data, name)
        except UnreadableDocument as error:
            return error

    def result(self, pending, data, name):
        if not hasattr(pending, "result"):
            return pending
        try:
            return pending.result()
        except UnreadableDocument as error:
            return error
        except BrokenProcessPool:
            # A worker died (out of memory, killed): read the rest here rather than lose them.
            self.pool = None
            return self.read_here(data, name)

    def close(self, cancel=False):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
