"""Text extraction with a limit on time and memory, so that no file (a nesting
bomb, a PDF of 20,000 pages, a file that inflates) holds a request or `ingest`
for long: the reading runs in a worker process, which is killed when it takes
longer than `seconds` or grows past `megabytes`, and the person is told why.

One worker is kept per process and reused (starting one costs about as much as
reading a report); a worker that was stopped is replaced on the next call. The
worker is spawned, not forked: the calling process may hold database
connections and threads that a forked child would inherit mid-flight.
"""
import multiprocessing
import threading
from pathlib import Path

from registry.ingest.extractors import UnreadableDocument, extract

SECONDS = 4.0  # the issue allows 5: the worker is stopped before then
MEGABYTES = 1024


def _limit_memory(megabytes):
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _read(data, filename):
    try:
        return extract(data, filename)
    except UnreadableDocument as error:
        return error
    except MemoryError:
        return UnreadableDocument(f"{Path(filename).name}: reading it needed more memory than a document may "
                                  "use. Upload a smaller file or one in another format.")


class BoundedExtractor:
    """extract(data, filename) -> (text, media type), or raises UnreadableDocument,
    never taking longer than `seconds`."""

    def __init__(self, seconds=SECONDS, megabytes=MEGABYTES):
        self.seconds, self.megabytes = seconds, megabytes
        self._pool = None
        self._lock = threading.Lock()

    def _worker(self):
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(
                1, initializer=_limit_memory, initargs=(self.megabytes,))
        return self._pool

    def extract(self, data, filename):
        with self._lock:  # one file at a time per worker
            pending = self._worker().apply_async(_read, (data, filename))
            try:
                result = pending.get(timeout=self.seconds)
            except multiprocessing.TimeoutError:
                self.close()  # kill the stuck worker; the next call starts a new one
                raise UnreadableDocument(
                    f"{Path(filename).name}: reading it took longer than {self.seconds:g} seconds, so it was "
                    "stopped. Upload a smaller or simpler file (for example a PDF saved again, or plain text)."
                ) from None
            except Exception as error:  # the worker died (killed, out of memory)
                self.close()
                raise UnreadableDocument(f"{Path(filename).name}: the file could not be read ({type(error).__name__}). "
                                         "Upload a smaller file or one in another format.") from error
        if isinstance(result, UnreadableDocument):
            raise result
        return result

    def close(self):
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


_shared = BoundedExtractor()


def extract_bounded(data, filename):
    """The shared bounded extractor of this process (for uploads)."""
    return _shared.extract(data, filename)
