"""EvaluationQuerySet: the one place that decides who reads which records and
what a detail read fetches."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Evaluation, Submission
from tests.factories import EvaluationFactory, rich_evaluation
from tests.submit.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = make_user("owner@education.gov.uk", "Contributors")
    co_editor = make_user("co@education.gov.uk", "Contributors")
    stranger = make_user("stranger@education.gov.uk", "Contributors")
    moderator = make_user("mod@cabinetoffice.gov.uk", "Moderators")
    draft = EvaluationFactory(visibility="draft", owner=owner)
    Submission.objects.create(evaluation=draft).co_editors.add(co_editor)
    returned = EvaluationFactory(visibility="returned", owner=stranger)
    published = set(Evaluation.objects.published().values_list("slug", flat=True))
    return owner, co_editor, stranger, moderator, draft, returned, published


def slugs(queryset):
    return set(queryset.values_list("slug", flat=True))


def test_visitors_read_only_published_records(world):
    *_, published = world
    assert slugs(Evaluation.objects.visible_to(None)) == published
    assert slugs(Evaluation.objects.visible_to(AnonymousUser())) == published


def test_contributors_read_published_records_and_those_they_own_or_co_edit(world):
    owner, co_editor, stranger, moderator, draft, returned, published = world
    assert slugs(Evaluation.objects.visible_to(owner)) == published | {draft.slug}
    assert slugs(Evaluation.objects.visible_to(co_editor)) == published | {draft.slug}
    assert slugs(Evaluation.objects.visible_to(stranger)) == published | {returned.slug}
    assert slugs(Evaluation.objects.visible_to(moderator)) == published | {draft.slug, returned.slug}


def test_a_record_with_several_co_editors_is_read_once(world):
    owner, co_editor, stranger, *_ = world
    draft = EvaluationFactory(visibility="draft", owner=stranger)
    Submission.objects.create(evaluation=draft).co_editors.add(owner, co_editor)
    assert list(Evaluation.objects.visible_to(owner).filter(pk=draft.pk).values_list("pk", flat=True)) == [draft.pk]


def test_only_owners_co_editors_and_moderators_open_a_record_in_the_journey(world):
    owner, co_editor, stranger, moderator, draft, returned, published = world
    assert slugs(Evaluation.objects.editable_by(owner)) == {draft.slug}
    assert slugs(Evaluation.objects.editable_by(co_editor)) == {draft.slug}
    assert slugs(Evaluation.objects.editable_by(None)) == set()
    assert slugs(Evaluation.objects.editable_by(moderator)) >= published | {draft.slug, returned.slug}
    # "Your evaluations" is what a user edits, whatever their role.
    assert slugs(Evaluation.objects.edited_by(moderator)) == set()


def fetch(records, documents):
    return list(Evaluation.objects.filter(pk__in=[e.pk for e in records]).with_detail(documents=documents))


@pytest.mark.parametrize("documents", ["first", "all", None])
def test_a_detail_read_costs_the_same_however_many_records_it_reads(django_assert_num_queries, documents):
    few = [rich_evaluation(i) for i in range(2)]
    with CaptureQueriesContext(connection) as small:
        fetch(few, documents)
    many = few + [rich_evaluation(i) for i in range(2, 12)]
    with django_assert_num_queries(len(small)):
        records = fetch(many, documents)
    with django_assert_num_queries(0):  # what the pages read is all fetched
        for record in records:
            [d.design_type.parent for d in record.designs.all()]
            [r.organisation.name for r in record.organisation_roles.all()]
            [f.source_document for f in record.findings.all()]
            if documents == "first":
                assert record.documents_count == len(record.first_documents) == 0
            elif documents == "all":
                list(record.documents.all())
