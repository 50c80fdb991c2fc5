import logging

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from registry import presenters, selectors
from registry.linked_data import evaluation_jsonld_script
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
    return selectors.evaluations_in_order([i for i in ids if i != record.pk], user)


def page_urls():
    """Where a record's values link on the website."""
    return presenters.Urls(browse=reverse("registry:browse"), documents=reverse("registry:documents"))


def evaluation(request, slug):
    record = selectors.evaluation_detail(slug, request.user)
    if record is None:
        raise Http404("No evaluation has this address.")
    if record.visibility == Visibility.WITHDRAWN:
        return render(request, "registry/evaluation_withdrawn.html", {"evaluation": record}, status=410)
    urls = page_urls()
    return render(request, "registry/evaluation_detail.html", {
        "evaluation": record,
        "sections": presenters.record_sections(record, selectors.design_tree(), urls),
        "related": related_evaluations(record, request.user),
        "record_jsonld": evaluation_jsonld_script(record, request),
        "all_documents_url": urls.documents_of(record),
    })
