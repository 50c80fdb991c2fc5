"""The record list from stored bodies (registry/api/stored.py, PostgreSQL): byte for
byte the page rendered live, for any origin, and every kind of change to what a
record shows is served at once; a body rendered before a change is never served."""

import pytest
from django.db import connection, transaction

from registry.api import stored
from registry.models import (
    Department,
    Document,
    Evaluation,
    EvaluationOrganisation,
    Finding,
    Organisation,
    Place,
    RepresentationStamp,
    StoredRepresentation,
)
from registry.models.choices import Visibility
from tests.conftest import seed_registry
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"


@pytest.fixture
def on_postgres():
    if not stored.enabled():
        pytest.skip("stored bodies are kept on PostgreSQL only")


def live(client, monkeypatch, path=LIST, **extra):
    with monkeypatch.context() as patch:
        patch.setattr(stored, "enabled", lambda: False)
        response = client.get(path, HTTP_ACCEPT="application/json", **extra)
    assert response.status_code == 200
    return response.content


def served(client, path=LIST, **extra):
    response = client.get(path, HTTP_ACCEPT="application/json", **extra)
    assert response.status_code == 200
    return response.content


def record(slug="project-crewe"):
    return Evaluation.objects.get(slug=slug)


def test_a_page_from_stored_bodies_is_the_page_rendered_live(client, monkeypatch, on_postgres):
    expected = live(client, monkeypatch)
    assert served(client) == expected  # rendered, then stored
    assert StoredRepresentation.objects.count() == Evaluation.objects.filter(visibility=Visibility.PUBLISHED).count()
    assert served(client) == expected  # read from the store
    assert b"\\u0000" not in expected


def test_each_origin_gets_its_own_addresses(client, monkeypatch, on_postgres):
    served(client)
    body = served(client, secure=True, HTTP_HOST="localhost")
    assert body == live(client, monkeypatch, secure=True, HTTP_HOST="localhost")
    assert b'"url":"https://localhost/evaluations/project-crewe/"' in body
    assert b"testserver" not in body


def test_a_stored_page_is_three_queries(client, on_postgres, django_assert_max_num_queries):
    """The count, the page's ids and their bodies."""
    served(client)
    with django_assert_max_num_queries(3):
        served(client)


def test_formats_other_than_json_are_rendered_as_before(client, on_postgres):
    served(client)
    response = client.get(LIST, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert b"project-crewe" in response.content


def rename_department(evaluation):
    department = evaluation.lead_department
    department.name = "Department of Renamed Things"
    department.save()
    return b"Department of Renamed Things"


def change_summary(evaluation):
    evaluation.summary = "A summary changed by a moderator."
    evaluation.save()
    return b"A summary changed by a moderator."


def add_finding(evaluation):
    Finding.objects.create(evaluation=evaluation, position=99, outcome="Wellbeing of staff",
                           statement="Staff reported better wellbeing.")
    return b"Staff reported better wellbeing."


def remove_links(evaluation):
    url = evaluation.links.first().url
    evaluation.links.all().delete()
    return None, url.encode()


def add_place(evaluation):
    evaluation.places.add(Place.objects.create(name="Nantwich", slug="nantwich"))
    return b"Nantwich"


def rename_organisation(evaluation):
    organisation = Organisation.objects.filter(evaluations=evaluation).first()
    if organisation is None:
        organisation = Organisation.objects.order_by("pk").first()
        EvaluationOrganisation.objects.create(evaluation=evaluation, organisation=organisation, role="evaluator")
    organisation.name = "An Organisation Renamed"
    organisation.save()
    return b"An Organisation Renamed"


def document_titled(title):
    return Document.objects.create(title=title, text="Some text.", content_hash=title)


def link_document(evaluation):
    document = document_titled("A report linked later")
    document.evaluations.add(evaluation)
    return b"A report linked later"


def retitle_document(evaluation):
    document = document_titled("First title of a report")
    evaluation.documents.add(document)
    document.title = "Second title of a report"
    document.save()
    return b"Second title of a report", b"First title of a report"


def delete_document(evaluation):
    document = document_titled("A report deleted later")
    evaluation.documents.add(document)
    document.delete()
    return None, b"A report deleted later"


def unlink_a_document_everywhere(evaluation):
    document = document_titled("A report unlinked later")
    document.evaluations.add(evaluation)
    document.evaluations.clear()
    return None, b"A report unlinked later"


CHANGES = [rename_department, change_summary, add_finding, remove_links, add_place, rename_organisation,
           link_document, retitle_document, delete_document, unlink_a_document_everywhere]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_every_change_to_what_a_record_shows_is_served_at_once(client, monkeypatch, on_postgres, change):
    evaluation = record()
    served(client)
    served(client)  # stored and read back
    result = change(evaluation)
    present, absent = result if isinstance(result, tuple) else (result, None)
    body = served(client)
    assert body == live(client, monkeypatch)
    if present:
        assert present in body
    if absent:
        assert absent not in body


def test_a_body_rendered_before_a_change_is_never_served(client, monkeypatch, on_postgres):
    """A reader that read the stamp, then the record, then stored the body after a
    change had replaced the stamp: its body carries the old token."""
    evaluation = record()
    served(client)
    old = StoredRepresentation.objects.get(evaluation_id=evaluation.pk)
    stale = old.body.replace("project-crewe", "stale-address")
    change_summary(evaluation)  # the stamp is replaced
    StoredRepresentation.objects.filter(evaluation_id=evaluation.pk).update(body=stale, token=old.token)
    body = served(client)
    assert b"stale-address" not in body and body == live(client, monkeypatch)


@pytest.mark.django_db(transaction=True)
def test_a_change_replaces_the_stamp_just_before_its_commit_and_reads_inside_it_are_live(client, on_postgres):
    """The stamp's row is written (and locked) only as the change commits, so writers
    changing one record do not wait on each other for their whole transactions; the
    changing transaction itself never reads the old body."""
    seed_registry()  # a transactional test's database starts empty
    evaluation = EvaluationFactory(visibility=Visibility.PUBLISHED, summary="Before the change.")
    served(client)
    before = RepresentationStamp.objects.filter(evaluation_id=evaluation.pk).values_list("token", flat=True).first()
    with transaction.atomic():
        evaluation.summary = "Inside the change."
        evaluation.save()
        inside = RepresentationStamp.objects.filter(evaluation_id=evaluation.pk).values_list("token", flat=True).first()
        assert inside == before  # not yet replaced, so not yet locked
        assert b"Inside the change." in served(client)
    after = RepresentationStamp.objects.get(evaluation_id=evaluation.pk).token
    assert after and after != before
    assert b"Inside the change." in served(client)
    assert StoredRepresentation.objects.get(evaluation_id=evaluation.pk).token == after


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_nothing_pending(client, on_postgres):
    seed_registry()
    evaluation = EvaluationFactory(visibility=Visibility.PUBLISHED)
    with pytest.raises(RuntimeError), transaction.atomic():
        evaluation.summary = "Never committed."
        evaluation.save()
        raise RuntimeError
    assert evaluation.pk not in stored._changing()


def test_on_sqlite_nothing_is_stored(client):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    served(client)
    assert not StoredRepresentation.objects.exists()


def test_department_rename_reaches_records_of_other_departments_too(client, monkeypatch, on_postgres):
    """A department named as another department of a record (not its lead)."""
    evaluation = record()
    other = Department.objects.exclude(pk=evaluation.lead_department_id).first()
    evaluation.other_departments.add(other)
    served(client)
    other.name = "Another Department Renamed"
    other.save()
    body = served(client)
    assert b"Another Department Renamed" in body and body == live(client, monkeypatch)


def test_a_cited_documents_new_title_is_served_on_records_citing_it(client, monkeypatch, on_postgres):
    """A finding's source is shown by its title, on a record that need not list the document."""
    evaluation = record()
    document = document_titled("A cited report")
    Finding.objects.create(evaluation=evaluation, position=98, outcome="Attendance", statement="Attendance rose.",
                           source_document=document)
    assert not document.evaluations.exists()
    assert b"A cited report" in served(client) and served(client) == live(client, monkeypatch)  # stored
    document.title = "A cited report, retitled"
    document.save()
    body = served(client)
    assert b"A cited report, retitled" in body and body == live(client, monkeypatch)


def test_a_records_own_text_holding_the_placeholders_escape_is_kept(client, monkeypatch, on_postgres):
    """Only an address's placeholder (opening a JSON string) becomes the origin: a
    title holding the six characters \\u0000 stays as written and the page stays JSON."""
    evaluation = record()
    evaluation.title = "\\u0000 at the start, and again: \\u0000"
    evaluation.save()
    served(client)
    body = served(client)  # read from the store
    assert body == live(client, monkeypatch)
    import json

    titles = [r["title"] for r in json.loads(body)["results"]]
    assert evaluation.title in titles


def test_a_record_deleted_after_its_id_was_read_is_left_out(client, on_postgres, rf):
    ids = list(Evaluation.objects.filter(visibility=Visibility.PUBLISHED).order_by("pk").values_list("pk", flat=True))
    gone = ids[0]
    Evaluation.objects.filter(pk=gone).delete()
    bodies, _ = stored.page_bodies(ids, rf.get(LIST))
    assert len(bodies) == len(ids) - 1


def test_deleting_a_place_is_served_at_once(client, monkeypatch, on_postgres):
    """Deleting a place removes its links in cascade, which sends no m2m_changed."""
    place = Place.objects.create(name="Sandbach", slug="sandbach")
    record().places.add(place)
    served(client)
    assert b"Sandbach" in served(client)  # stored with the place
    place.delete()
    body = served(client)
    assert b"Sandbach" not in body and body == live(client, monkeypatch)
