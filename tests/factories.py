"""factory-boy factories for records with many relations."""

import factory
from factory.django import DjangoModelFactory

from registry import models


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = models.Evaluation

    slug = factory.Sequence(lambda n: f"evaluation-{n}")
    title = factory.Sequence(lambda n: f"Evaluation number {n}")
    summary = "A synthetic record used by the tests."
    stage = "ongoing"
    visibility = "published"
    lead_department = factory.LazyFunction(lambda: models.Department.objects.get(code="department-for-education"))


class EventDateFactory(DjangoModelFactory):
    class Meta:
        model = models.EventDate

    category = "evaluation_start"
    year = 2020


class FindingFactory(DjangoModelFactory):
    class Meta:
        model = models.Finding

    outcome = factory.Sequence(lambda n: f"Outcome {n}")
    statement = "A synthetic finding."


def rich_evaluation(index, *, visibility="published"):
    """A record with several departments, methods, places, dates, links and findings."""
    departments = list(models.Department.objects.order_by("code")[index % 50 : index % 50 + 3])
    designs = list(
        models.DesignType.objects.filter(code__in=["impact", "rct", "cluster", "process", "surveys_process"])
    )
    evaluation = EvaluationFactory(visibility=visibility, lead_department=departments[0])
    evaluation.other_departments.set(departments[1:])
    for design in designs:
        models.EvaluationDesign.objects.create(evaluation=evaluation, design_type=design)
    place, _ = models.Place.objects.get_or_create(slug=f"place-{index % 5}", defaults={"name": f"Place {index % 5}"})
    evaluation.places.add(place)
    evaluation.policy_areas.set(models.PolicyArea.objects.filter(parent__isnull=False).order_by("code")[:2])
    org = models.Organisation.objects.get(slug="department-for-education")
    models.EvaluationOrganisation.objects.create(evaluation=evaluation, organisation=org, role="commissioner")
    for year in (2019, 2020, 2021):
        EventDateFactory(evaluation=evaluation, year=year, month=3)
    models.Link.objects.create(evaluation=evaluation, kind="report", url=f"https://example.org/{index}")
    for n in range(3):
        FindingFactory(evaluation=evaluation, effect_size=n, effect_unit="points")
    return evaluation
