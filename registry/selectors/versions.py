"""Reads of published versions. Only a published record's versions are ever
read here, whoever asks: a draft (or a revision in progress) has none, and
staff read drafts through the history pages, not the API."""

from registry.models import Evaluation, PublishedVersion
from registry.models.evaluations import Visibility


def record_for_versions(slug):
    """(id, visibility, withdrawn_reason) of the published or withdrawn record
    with this slug, or None."""
    return (
        Evaluation.objects.filter(slug=slug, visibility__in=(Visibility.PUBLISHED, Visibility.WITHDRAWN))
        .values_list("id", "visibility", "withdrawn_reason")
        .first()
    )


def version_list(evaluation_id):
    """The versions, oldest first, without their stored records (a list names them only)."""
    return PublishedVersion.objects.filter(evaluation_id=evaluation_id).defer("record").order_by("number")


def version_and_previous(evaluation_id, number):
    """(version `number`, the version before it or None): one query."""
    found = list(
        PublishedVersion.objects.filter(evaluation_id=evaluation_id, number__lte=number).order_by("-number")[:2]
    )
    if not found or found[0].number != number:
        return None, None
    return found[0], (found[1] if len(found) > 1 else None)
