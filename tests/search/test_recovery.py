"""A rebuild killed part way leaves the index answering as it did before: the
new index is written beside the old one and replaces it only when complete."""
import os
import signal
import time

import pytest

from registry.search import SearchQuery, get_backend
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db
QUERIES = ("reoffending", "Partners in Practice", "RCT", "kill-test")


def answers(backend):
    return {q: [(h.kind, h.pk) for h in backend.search(SearchQuery(text=q)).hits] for q in QUERIES}


def test_whoosh_rebuild_killed_midway_changes_nothing(search_index, search_backend_name):
    if search_backend_name != "whoosh":
        pytest.skip("the PostgreSQL backend rebuilds in one transaction, which a killed connection rolls back")
    for n in range(40):
        EvaluationFactory(title=f"Kill-test record {n}", summary="Rebuilt while a kill-test runs.")
    search_index.rebuild()
    before = answers(search_index)
    assert len(before["kill-test"]) == 20

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child rebuilds slowly, saying when it has begun writing
        try:
            def progress(kind, pk):
                os.write(write_end, b".")
                time.sleep(0.02)
            get_backend().rebuild(progress=progress, procs=1)
        finally:
            os._exit(0)
    assert os.read(read_end, 1) == b"."
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    assert os.waitpid(pid, 0)[1] != 0  # killed, not finished

    fresh = get_backend()  # a new process's view of the same files
    assert answers(fresh) == before
    assert answers(search_index) == before
    search_index.rebuild()  # and the next rebuild, over the killed one's leftovers, works
    assert answers(search_index) == before
