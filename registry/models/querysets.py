"""Querysets for the registry's models: the one place that says which records a
reader may see and what a detail read prefetches.

Every read of records goes through `visible_to` (or `editable_by`, for the
journey) and fetches its relations with `with_detail` or `with_summary`, so a
rule about visibility or a new relation on the record page is written once.
"""

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from registry.models.choices import Visibility

# A record page, an API record, the comparison and the JSON-LD list this many of
# a record's documents (by title) and link to the rest: a record can support a thousand.
RECORD_DOCUMENTS = 10
# What a document's line on a record page or in an API record shows.
DOCUMENT_SUMMARY_FIELDS = ("id", "title", "kind", "publisher", "month", "year", "file", "updated_at")


def documents_count():
    """The number of documents a record links, as a correlated subquery: one
    index look-up per record shown, rather than a join and GROUP BY over the
    whole (filtered, ordered) list of records."""
    from registry.models import Document

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
    from registry.models import Document

    documents = Document.objects.only(*DOCUMENT_SUMMARY_FIELDS).order_by("title", "id")
    return Prefetch("documents", queryset=documents[:RECORD_DOCUMENTS], to_attr="first_documents")


def _role(user):
    """The role that decides what this user reads: "moderator", "contributor" or None.
    registry.permissions decides; imported here so that it may import models."""
    from registry import permissions

    if permissions.is_moderator(user):
        return "moderator"
    return "contributor" if permissions.is_contributor(user) else None


def _edited_by(user):
    """Records this contributor owns or co-edits. Co-edited records are matched by
    a subquery, not a join, so a record with several co-editors is never returned twice."""
    from registry.models import Submission

    return Q(owner=user) | Q(pk__in=Submission.objects.filter(co_editors=user).values("evaluation_id"))


class EvaluationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(visibility=Visibility.PUBLISHED)

    def visible_to(self, user):
        """The records this user may see: moderators all of them, contributors the
        published ones and their own (drafts included), everyone else the published."""
        role = _role(user)
        if role == "moderator":
            return self.all()
        if role == "contributor":
            return self.filter(Q(visibility=Visibility.PUBLISHED) | _edited_by(user))
        return self.published()

    def edited_by(self, user):
        """Records this user owns or co-edits, whatever their role: "Your evaluations"."""
        return self.filter(_edited_by(user))

    def editable_by(self, user):
        """Records this user may open in the journey (their state is checked by
        `registry.permissions.can_edit`)."""
        role = _role(user)
        if role == "moderator":
            return self.all()
        return self.filter(_edited_by(user)) if role == "contributor" else self.none()

    def with_summary(self):
        """What a list of records shows (browse, search results), in a fixed number of queries."""
        from registry.models import EvaluationDesign

        designs = EvaluationDesign.objects.select_related("design_type__parent").order_by("design_type__position")
        return self.select_related("lead_department", "programme").prefetch_related(
            Prefetch("designs", queryset=designs), "event_dates"
        )

    def with_detail(self, *, documents="first"):
        """Everything a record page, an API record, the comparison, the journey and
        the search index read, in a fixed number of queries whatever the record holds.

        `documents`: "first" fetches the first RECORD_DOCUMENTS by title into
        `first_documents` and annotates `documents_count` (pages and the API:
        a record can link a thousand); "all" prefetches every one without its
        text (the journey lists what its contributor uploaded); None fetches none
        (the search index reads documents on their own)."""
        from registry.models import Document, EvaluationDesign, EvaluationOrganisation, Finding, PolicyArea

        queryset = self.select_related("lead_department", "programme").prefetch_related(
            "other_departments",
            "places",
            Prefetch("policy_areas", queryset=PolicyArea.objects.select_related("parent")),
            Prefetch(
                "designs",
                # Two levels of parents: the journey files a sub-method under its type.
                queryset=EvaluationDesign.objects.select_related("design_type__parent__parent").order_by(
                    "design_type__position", "id"
                ),
            ),
            Prefetch("organisation_roles", queryset=EvaluationOrganisation.objects.select_related("organisation")),
            "event_dates",
            "links",
            Prefetch(
                "findings", queryset=Finding.objects.select_related("source_document").defer("source_document__text")
            ),
        )
        if documents == "first":
            return queryset.annotate(documents_count=documents_count()).prefetch_related(first_documents())
        if documents == "all":
            return queryset.prefetch_related(
                Prefetch("documents", queryset=Document.objects.defer("text").order_by("title"))
            )
        return queryset
