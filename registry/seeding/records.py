"""Load the registry's first records from fixtures/records.json.

A record is created when its slug is missing and left alone when present, so
`seed` is idempotent and never overwrites edits made in the registry since.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from registry.models import (
    Department,
    DesignType,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Organisation,
    Place,
    PolicyArea,
    Programme,
)
from registry.services.documents import add_document

FIXTURES_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures"
DECIMAL_FIELDS = {"effect_size", "ci_lower", "ci_upper", "ci_level", "p_value"}


def _upsert_simple(model, rows, key="slug"):
    for row in rows:
        model.objects.get_or_create(**{key: row[key]}, defaults={k: v for k, v in row.items() if k != key})


def _create_evaluation(spec, documents):
    scalar = {
        k: spec[k]
        for k in (
            "slug",
            "title",
            "summary",
            "summary_machine_written",
            "stage",
            "visibility",
            "is_grant_funded",
            "grant_number",
            "is_major_project",
            "major_project_number",
            "cost_amount",
            "cost_price_year",
            "cost_note",
            "permission_to_share",
        )
        if k in spec
    }
    if spec.get("lead_department"):
        scalar["lead_department"] = Department.objects.get(code=spec["lead_department"])
    if spec.get("programme"):
        scalar["programme"] = Programme.objects.get(slug=spec["programme"])
    evaluation = Evaluation(**scalar)
    evaluation.full_clean()
    if evaluation.visibility == "published":
        from django.utils import timezone

        evaluation.published_at = timezone.now()
    evaluation.save()
    evaluation.other_departments.set(Department.objects.filter(code__in=spec.get("other_departments", [])))
    evaluation.places.set(Place.objects.filter(slug__in=spec.get("places", [])))
    evaluation.policy_areas.set(PolicyArea.objects.filter(code__in=spec.get("policy_areas", [])))
    types = {d.code: d for d in DesignType.objects.filter(code__in=[d["code"] for d in spec.get("designs", [])])}
    for design in spec.get("designs", []):
        EvaluationDesign.objects.create(
            evaluation=evaluation, design_type=types[design["code"]], description=design.get("description", "")
        )
    for role in spec.get("organisations", []):
        EvaluationOrganisation.objects.create(
            evaluation=evaluation, organisation=Organisation.objects.get(slug=role["slug"]), role=role["role"]
        )
    for row in spec.get("event_dates", []):
        event = EventDate(evaluation=evaluation, **row)
        event.full_clean()
        event.save()
    for row in spec.get("links", []):
        link = Link(evaluation=evaluation, **row)
        link.full_clean()
        link.save()
    for position, row in enumerate(spec.get("findings", []), start=1):
        values = {k: (Decimal(v) if k in DECIMAL_FIELDS else v) for k, v in row.items() if k != "source_document"}
        finding = Finding(
            evaluation=evaluation,
            position=position,
            source_document=documents.get(row.get("source_document")),
            **values,
        )
        finding.full_clean()
        finding.save()
    for key in spec.get("documents", []):
        documents[key].evaluations.add(evaluation)
    return evaluation


@transaction.atomic
def load_records(path=FIXTURES_DIR / "records.json"):
    """Returns the number of records created."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    _upsert_simple(Organisation, data.get("organisations", []))
    _upsert_simple(Programme, data.get("programmes", []))
    _upsert_simple(Place, data.get("places", []))
    documents = {}
    for spec in data.get("documents", []):
        content = (FIXTURES_DIR / "documents" / spec["file"]).read_bytes()
        documents[spec["key"]], _ = add_document(
            content, spec["file"], title=spec["title"], kind=spec["kind"], keep_file=False
        )
    created = 0
    for spec in data["evaluations"]:
        if not Evaluation.objects.filter(slug=spec["slug"]).exists():
            _create_evaluation(spec, documents)
            created += 1
    return created
