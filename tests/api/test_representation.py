"""The hand-built representation of a record (fast on list pages) says exactly
what DRF's declared fields say, key by key and value by value."""

import json

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from registry import selectors
from registry.api.serializers import EvaluationSerializer
from registry.models import Document, Evaluation, Finding
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
    for record in records:
        serializer = EvaluationSerializer(record, context={"request": request})
        fast, declared = serializer.to_representation(record), serializer.declared_representation(record)
        assert list(fast) == list(declared)
        assert as_json(fast) == as_json(declared), record.slug
