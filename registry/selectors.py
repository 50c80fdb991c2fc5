"""Read queries. One place decides what a visitor may see; views and the API call these."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

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


# A record page, an API record and the JSON-LD list this many of a record's
# documents (by title) and link to the rest: a record can support a thousand.
RECORD_DOCUMENTS = 10
# What a document's line on a record page or in an API record shows.
DOCUMENT_SUMMARY_FIELDS = ("id", "title", "kind", "publisher", "month", "year", "file", "updated_at")


def documents_count():
    """The number of documents a record links, as a correlated subquery: one
    index look-up per record shown, rather than a join and GROUP BY over the
    whole (filtered, ordered) list of records."""
    links = (
        Document.evaluations.through.objects.filter(evaluation_id=OuterRef("pk"))
        .order_by()
        .values("evaluation_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), 0)


def first_documents():
    """A record's first documents by title, into `first_documents`: one query
    for any number of records (a window function per record), never all of them."""
    documents = Document.objects.only(*DOCUMENT_SUMMARY_FIELDS).order_by("title", "id")
    return Prefetch("documents", queryset=documents[:RECORD_DOCUMENTS], to_attr="first_documents")


def with_record_relations(queryset):
    """Everything a record page (or an API record) shows, fetched in a fixed number of queries.
    Documents are bounded: the first RECORD_DOCUMENTS in `first_documents`, and `documents_count`."""
    return queryset.select_related("lead_department", "programme").annotate(
        documents_count=documents_count()
    ).prefetch_related(
        "other_departments",
        "places",
        Prefetch("policy_areas", queryset=PolicyArea.objects.select_related("parent")),
        Prefetch("designs", queryset=EvaluationDesign.objects.select_related("design_type__parent")),
        "organisation_roles__organisation",
        "event_dates",
        "links",
        Prefetch("findings", queryset=Finding.objects.select_related("source_document").defer("source_document__text")),
        first_documents(),
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


def evaluation_documents(slug, user=None):
    """(record, its documents) for the paginated list behind a record page's
    "View all" link, or (None, None) when this user may not see the record.
    A record they may see makes its documents visible, so no other check is needed."""
    record = visible_evaluations(user).only("id", "slug", "title").filter(slug=slug).first()
    if record is None:
        return None, None
    links = Document.evaluations.through.objects.filter(evaluation_id=record.pk).values("document_id")
    return record, document_list(Document.objects.filter(id__in=links))


def documents_of_evaluation(slug, user=None):
    """Documents of the record with this slug that this user may see (none when
    they may not see the record): the API's `?evaluation=` filter."""
    records = visible_evaluations(user).filter(slug=slug).values("id")
    links = Document.evaluations.through.objects.filter(evaluation_id__in=records).values("document_id")
    return Document.objects.filter(id__in=links)


def document_detail(pk, user=None):
    return (
        visible_documents(user)
        .prefetch_related(Prefetch("evaluations", queryset=visible_evaluations(user).select_related("lead_department")))
        .filter(pk=pk)
        .first()
    )
