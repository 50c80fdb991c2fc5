"""Saves from several threads at once: whoosh has one writer, yet every change ends up searchable."""
import threading

import pytest
from django.db import OperationalError, connection, transaction

from registry.search import SearchQuery, get_backend
from tests.factories import EvaluationFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_all_reach_the_index(seeded_live_server, search_data_dir):
    backend = get_backend()
    backend.rebuild()
    words = [f"concurrentword{chr(97 + i)}" for i in range(8)]
    errors = []
    start = threading.Barrier(len(words))

    def save(word):
        try:
            start.wait()
            for _attempt in range(50):  # SQLite allows one writing connection; PostgreSQL does not need this
                try:
                    with transaction.atomic():
                        EvaluationFactory(title=f"Study of {word}", summary=f"The {word} programme.")
                    break
                except OperationalError:
                    threading.Event().wait(0.05)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(word,)) for word in words]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    for word in words:
        hits = backend.search(SearchQuery(text=word)).hits
        assert [h.title for h in hits] == [f"Study of {word}"], word
