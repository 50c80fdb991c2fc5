"""Synthetic rows for `import_records --bench`: valid, varied enough to touch every
kind of cell (departments by acronym, methods by synonym, dates, links, places),
and marked so they can be removed again."""
from __future__ import annotations

import random

from django.db import transaction

from registry.imports.columns import RECORD_NAMES
from registry.imports.export import records_csv
from registry.models import Evaluation, Place, Programme

DEPARTMENTS = ("DfE", "Department of Health and Social Care", "HM Treasury", "Department for Work and Pensions", "MoJ")
METHODS = ("RCT", "propensity score matching", "Difference-in-difference", "Individual interviews (Process evaluation)",
           "QED")
TOPICS = ("tutoring", "apprenticeships", "reoffending", "housing", "employment", "childcare", "energy")
BENCH_NAME = "Import bench"


def bench_rows(n: int, prefix: str) -> bytes:
    rng = random.Random(17)
    rows = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        start = rng.randint(2010, 2020)
        rows.append({name: "" for name in RECORD_NAMES} | {
            "external_id": f"{prefix}{i:05d}",
            "title": f"Evaluation of the {topic} programme {i}",
            "summary": f"A synthetic record for the import benchmark about {topic}.",
            "lead_department": rng.choice(DEPARTMENTS),
            "stage": "complete",
            "evaluation_types": "Impact; Process",
            "methods": f"{rng.choice(METHODS)}",
            "programme": f"{BENCH_NAME} {topic} programme",
            "places": f"{BENCH_NAME} place {i % 50}",
            "organisations": "Ecorys (evaluator)",
            "event_dates": f"Evaluation start: March {start} (actual); Evaluation end: {start + 2} (actual)",
            "report_links": f"Final report https://www.gov.uk/government/publications/bench-{i}",
            "grant_funded": "no",
            "cost_amount": str(rng.randint(1000, 900000)),
            "cost_price_year": str(start),
            "permission_to_share": "yes",
        })
    return records_csv(rows)


@transaction.atomic
def remove_bench_records(prefix: str) -> int:
    # One delete of the lot: Django collects the rows that go with them a batch at a time.
    removed = Evaluation.objects.filter(slug__startswith=prefix).delete()[1].get(Evaluation._meta.label, 0)
    Place.objects.filter(name__startswith=BENCH_NAME, evaluations__isnull=True).delete()
    Programme.objects.filter(name__startswith=BENCH_NAME, evaluations__isnull=True).delete()
    return removed
