import logging
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from registry import presenters, selectors
from registry.api.jsonld import evaluation_jsonld_script
from registry.models.evaluations import Visibility
from registry.search import get_backend

logger = logging.getLogger("registry.search")


def related_evaluations(record, user, limit=5):
    """Records most like this one (the search engine decides), in its order.
    A search failure costs the sidebar, never the page."""
    try:
        ids = get_backend().more_like_this(record.pk, limit=limit)
    except Exception:  # noqa: BLE001
        logger.exception("More-like-this failed for evaluation %s", record.pk)
        ids = []
    ids = [i for i in ids if i != record.pk]
    # One query whether or not the index suggests anything, so the page's query count is fixed.
    queryset = selectors.visible_evaluations(user).filter(id__in=ids or [0]).select_related("lead_department")
    rows = {e.id: e for e in queryset}
    return [rows[i] for i in ids if i in rows]


def all_documents_url(record):
    """The paginated list of a record's documents; its page shows only the first few."""
    return f"{reverse('registry:documents')}?{urlencode({'evaluation': record.slug})}"


def evaluation(request, slug):
    record = selectors.evaluation_detail(slug, request.user)
    if record is None:
        raise Http404("No evaluation has this address.")
    if record.visibility == Visibility.WITHDRAWN:
        return render(request, "registry/evaluation_withdrawn.html", {"evaluation": record}, status=410)
    return render(request, "registry/evaluation_detail.html", {
        "evaluation": record,
        "sections": presenters.record_sections(record, selectors.design_tree()),
        "related": related_evaluations(record, request.user),
        "record_jsonld": evaluation_jsonld_script(record, request),
        "all_documents_url": all_documents_url(record),
    })
