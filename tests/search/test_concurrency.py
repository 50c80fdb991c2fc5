"""Saves from several threads at once: whoosh has one writer, yet every change ends up searchable."""
import threading

import pytest
from django.db import OperationalError, connection, transaction

from registry.search import SearchQuery, get_backend
from tests.conftest import seed_registry
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


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_same_records_vectors_do_not_collide():
    """A writer replaces vectors by a delete and an insert. Without one writer at a
    time, the second (an edit while an ingest embeds, two ingests) deletes nothing it
    can see and its insert breaks the unique (kind, object id) once the first commits."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    from registry.models.search import SearchVector
    from registry.search import entries, meaning

    if not meaning.enabled():
        pytest.skip("the meaning model is not installed")
    seed_registry()  # transactional tests flush the database after each test
    record = EvaluationFactory(title="Breakfast clubs in primary schools", summary="Free breakfasts before school.")
    found = list(entries.evaluation_entries([record.pk]))
    assert found
    first_wrote, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                meaning.write_records(found, [record.pk])
                first_wrote.set()
                threading.Event().wait(0.5)  # the second writer starts meanwhile
        finally:
            connection.close()

    def second():
        try:
            first_wrote.wait(10)
            with transaction.atomic():
                meaning.write_records(found, [record.pk])
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert SearchVector.objects.filter(kind="evaluation", object_id=record.pk).count() == 1
