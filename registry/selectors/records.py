"""Records as readers see them: one at a time with everything its page shows,
or a list. Visibility is `EvaluationQuerySet.visible_to`; relations are
`with_detail` / `with_summary`: nothing here decides either."""

from django.db.models import Count, Q

from registry.models import Department, DesignType, Evaluation, Programme
from registry.models.choices import Stage, Visibility


def visible_evaluations(user=None):
    """The records this user may see."""
    return Evaluation.objects.visible_to(user)


def evaluation_list(queryset):
    """The rows a list of records shows, with their relations fetched in a fixed number of queries."""
    return queryset.with_summary()


def with_record_relations(queryset):
    """Everything a record page (or an API record) shows: `queryset.with_detail()`,
    kept under this name for the code and tests that still call it."""
    return queryset.with_detail()


def evaluation_detail(slug, user=None):
    """The record with everything its page shows, or None. Withdrawn records are
    returned too: their page answers 410 Gone rather than 404."""
    queryset = visible_evaluations(user) | Evaluation.objects.filter(visibility=Visibility.WITHDRAWN)
    return queryset.with_detail().filter(slug=slug).first()


def evaluations_in_order(ids, user=None):
    """The records among `ids` this user may see, with their lead department, in
    the order of `ids`. One query even for no ids, so a page's query count is fixed."""
    rows = {e.id: e for e in visible_evaluations(user).filter(id__in=ids or [0]).select_related("lead_department")}
    return [rows[i] for i in ids if i in rows]


def evaluation_title(slug, user=None):
    """The title of the record with this slug, if this user may see it; else None."""
    return visible_evaluations(user).filter(slug=slug).values_list("title", flat=True).first()


def evaluations_by_slug(slugs, user=None):
    """{slug: record with everything its page shows} for the slugs this user may see."""
    if not slugs:
        return {}
    return {e.slug: e for e in visible_evaluations(user).with_detail().filter(slug__in=slugs)}


def registry_counts():
    """What the registry holds, for the home page: totals by stage, type, lead department and programme."""
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
