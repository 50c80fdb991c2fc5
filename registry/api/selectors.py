"""Read queries the API adds to registry.selectors: the same relations the
record page fetches, for a whole page of records at once."""

from django.db.models import Prefetch

from registry import selectors
from registry.models import Evaluation, Finding
from registry.models.findings import FINDING_VALUE_FIELDS


def evaluation_rows(queryset):
    """Records with every relation the API shows, in a fixed number of queries
    (the same set the record page fetches)."""
    return selectors.with_record_relations(queryset)


def page_of_records(ids):
    """The records with these ids, with every relation the API shows, in the order given."""
    rows = {record.id: record for record in evaluation_rows(Evaluation.objects.filter(id__in=ids).order_by())}
    return [rows[pk] for pk in ids if pk in rows]


def document_rows(queryset, user, *, with_text=False):
    """Documents with the published records they support (only records this user may see)."""
    if not with_text:
        queryset = queryset.defer("text")
    evaluations = selectors.visible_evaluations(user).only("id", "slug", "title").order_by("title")
    return queryset.prefetch_related(Prefetch("evaluations", queryset=evaluations)).order_by("title", "id")


def finding_rows(evaluations):
    """Findings of these records, each with its record's slug and title."""
    return (
        Finding.objects.filter(evaluation__in=evaluations.values("id"))
        .select_related("evaluation", "source_document")
        .only(
            "id",
            "position",
            *FINDING_VALUE_FIELDS,
            "evaluation__id",
            "evaluation__slug",
            "evaluation__title",
            "source_document__id",
            "source_document__title",
        )
        .order_by("evaluation__title", "evaluation_id", "position", "id")
    )
