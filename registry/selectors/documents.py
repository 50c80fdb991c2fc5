"""Documents as readers see them: a document is visible when a record it
supports is, so every read here starts from `visible_evaluations`."""

from django.db.models import Prefetch

from registry.models import Document
from registry.selectors.records import visible_evaluations


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


def document_rows(queryset, user, *, with_text=False):
    """Documents with the records they support that this user may see (the API's document list)."""
    if not with_text:
        queryset = queryset.defer("text")
    evaluations = visible_evaluations(user).only("id", "slug", "title").order_by("title")
    return queryset.prefetch_related(Prefetch("evaluations", queryset=evaluations)).order_by("title", "id")
