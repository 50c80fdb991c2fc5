"""Text extraction for a collection of files, in worker processes.

Extraction is a pure function of a file's bytes and name, so the workers need
nothing else: no Django, no database. Each file is read by a bounded worker
(registry/ingest/bounded.py): one that takes too long or grows too large is
stopped and the file reported as unreadable, so no file can hold `ingest` up.
"""
import queue
from concurrent.futures import ThreadPoolExecutor

from registry.ingest.bounded import SECONDS, BoundedExtractor
from registry.ingest.extractors import UnreadableDocument, extract


class Extractor:
    """submit(data, name) starts reading a file; result(...) is (text, media_type)
    or the UnreadableDocument saying why not. `jobs` files are read at once, each
    in its own bounded worker process; with jobs=0 a file is read in this process
    (no bound: for tests and tools that read trusted files)."""

    def __init__(self, jobs=0, seconds=SECONDS):
        self.jobs = jobs
        if jobs:
            self.workers = queue.SimpleQueue()
            for _ in range(jobs):
                self.workers.put(BoundedExtractor(seconds))
            self.threads = ThreadPoolExecutor(jobs, thread_name_prefix="extract")

    def submit(self, data, name):
        if self.jobs:
            return self.threads.submit(self._read_bounded, data, name)
        return self.read_here(data, name)

    def _read_bounded(self, data, name):
        worker = self.workers.get()
        try:
            return worker.extract(data, name)
        except UnreadableDocument as error:
            return error
        finally:
            self.workers.put(worker)

    @staticmethod
    def read_here(data, name):
        try:
            return extract(data, name)
        except UnreadableDocument as error:
            return error

    def result(self, pending, data, name):
        if not hasattr(pending, "result"):
            return pending
        return pending.result()

    def close(self, cancel=False):
        if self.jobs:
            self.threads.shutdown(wait=True, cancel_futures=cancel)
            for _ in range(self.jobs):
                self.workers.get().close()
