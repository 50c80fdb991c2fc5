"""The hand-built representation of a record (fast on list pages) says exactly
what DRF's declared fields say, key by key and value by value."""

import json

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from registry import selectors
from registry.api.serializers import EvaluationSerializer
from registry.models import Document, Evaluation, Finding
from registry.selectors import record_rows
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(JSONRenderer().render(data))


def test_hand_built_representation_equals_the_declared_fields(db):
    rich = rich_evaluation(3)
    document = Document.objects.create(title="Annex", kind="annex", year=2021, content_hash="a" * 64, file="x.pdf")
    document.evaluations.add(rich)
    Finding.objects.filter(evaluation=rich, position=0).update(
        source_document=document, ci_lower="-1.25", ci_upper="2.5", ci_level=95, p_value="0.0312", sample_size=400
    )
    Evaluation.objects.filter(pk=rich.pk).update(cost_amount="125000.50", cost_price_year=2020, is_grant_funded=True)
    request = APIRequestFactory().get("/api/v1/evaluations/")
    records = selectors.with_record_relations(Evaluation.objects.all())
    assert records.count() >= 4
    rows = {row["slug"]: row for row in record_rows([record.pk for record in records])}
    for record in records:
        serializer = EvaluationSerializer(record, context={"request": request})
        declared = serializer.declared_representation(record)
        # From the fetched instance (a detail) and from plain rows (a list page).
        for fast in (serializer.to_representation(record), serializer.to_representation(rows[record.slug])):
            assert list(fast) == list(declared)
            assert as_json(fast) == as_json(declared), record.slug


def test_record_rows_keep_the_order_asked_for_and_skip_unknown_ids(db):
    ids = list(Evaluation.objects.order_by("-title").values_list("id", flat=True))
    assert [row["id"] for row in record_rows([*ids, 999999])] == ids
    assert record_rows([]) == []


def test_document_representation_equals_the_document_serializer(db):
    """The bulk dump writes documents without the API's serializers (registry/dumps.py):
    the same keys in the same order and the same values, a file kept or not."""
    from registry.api.serializers import DocumentSerializer
    from registry.representation import document_representation
    from registry.selectors.documents import document_rows, visible_documents

    rich = rich_evaluation(3)
    kept = Document.objects.create(title="Annex", kind="annex", year=2021, month=3, content_hash="b" * 64,
                                   file="x.pdf", publisher="DfE", source_url="https://example.org/a.pdf")
    bare = Document.objects.create(title="Report", kind="report", year=2020, content_hash="c" * 64)
    kept.evaluations.add(rich)
    bare.evaluations.add(rich)
    request = APIRequestFactory().get("/api/v1/documents/")
    documents = list(document_rows(visible_documents(None), None))
    assert {d.pk for d in documents} >= {kept.pk, bare.pk}
    for document in documents:
        declared = as_json(DocumentSerializer(document, context={"request": request}).data)
        fast = as_json(document_representation(document, request))
        assert list(fast) == list(declared)
        assert fast == declared
