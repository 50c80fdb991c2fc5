"""Read queries. One place decides what a visitor may see; views and the API call these."""

from django.db.models import Count, Prefetch, Q

from registry.models import Department, DesignType, Document, Evaluation, EvaluationDesign, Finding, PolicyArea
from registry.models.evaluations import Visibility
from registry.permissions import evaluation_visibility_q


def visible_evaluations(user=None):
    """The records this user may see (registry.permissions decides)."""
    return Evaluation.objects.filter(evaluation_visibility_q(user))


def evaluation_list(queryset):
    """The rows a list of records shows, with their relations fetched in a fixed number of queries."""
    return queryset.select_related("lead_department", "programme").prefetch_related(
        Prefetch(
            "designs",
            queryset=EvaluationDesign.objects.select_related("design_type__parent").order_by("design_type__position"),
        ),
        "event_dates",
    )


def with_record_relations(queryset):
    """Everything a record page (or an API record) shows, fetched in a fixed number of queries."""
    return queryset.select_related("lead_department", "programme").prefetch_related(
        "other_departments",
        "places",
        Prefetch("policy_areas", queryset=PolicyArea.objects.select_related("parent")),
        Prefetch("designs", queryset=EvaluationDesign.objects.select_related("design_type__parent")),
        "organisation_roles__organisation",
        "event_dates",
        "links",
        Prefetch("findings", queryset=Finding.objects.select_related("source_document").defer("source_document__text")),
        Prefetch("documents", queryset=Document.objects.defer("text").order_by("title")),
    )


def evaluation_detail(slug, user=None):
    """The record with everything its page shows, or None. Withdrawn records are
    returned too: their page answers 410 Gone rather than 404."""
    queryset = visible_evaluations(user) | Evaluation.objects.filter(visibility=Visibility.WITHDRAWN)
    return with_record_relations(queryset).filter(slug=slug).first()


def design_tree():
    """Every design type, parents before children (one query; the tree is small)."""
    return list(DesignType.objects.select_related("parent").order_by("position"))


def department_choices():
    return Department.objects.only("code", "name").order_by("name")


def registry_counts():
    """What the registry holds, for the home page: totals by stage, type, lead department and programme."""
    from registry.models import Programme
    from registry.models.evaluations import Stage

    published = Evaluation.objects.published()
    by_stage = dict(published.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    stages = [(code, label, by_stage.get(code, 0)) for code, label in Stage.choices]
    if by_stage.get(""):
        stages.append(("", "Stage not provided", by_stage[""]))
    is_published = Q(evaluation_designs__evaluation__visibility=Visibility.PUBLISHED)
    by_type = list(
        DesignType.objects.types()
        .annotate(n=Count("evaluation_designs", filter=is_published))
        .values_list("code", "name", "n")
        .order_by("position")
    )
    by_department = list(
        Department.objects.annotate(
            n=Count("led_evaluations", filter=Q(led_evaluations__visibility=Visibility.PUBLISHED))
        )
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("code", "name", "n")[:10]
    )
    by_programme = list(
        Programme.objects.annotate(n=Count("evaluations", filter=Q(evaluations__visibility=Visibility.PUBLISHED)))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("slug", "name", "n")[:10]
    )
    return {
        "total": sum(by_stage.values()),
        "by_stage": stages,
        "by_type": by_type,
        "by_department": by_department,
        "by_programme": by_programme,
    }


def visible_documents(user=None):
    """Documents follow the records they support: visible when a record this user may see is linked."""
    return Document.objects.filter(id__in=visible_evaluations(user).values("documents"))


def document_list(queryset):
    return queryset.defer("text").order_by("title", "id")


def document_detail(pk, user=None):
    return (
        visible_documents(user)
        .prefetch_related(Prefetch("evaluations", queryset=visible_evaluations(user).select_related("lead_department")))
        .filter(pk=pk)
        .first()
    )
