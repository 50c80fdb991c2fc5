from django.http import Http404
from django.shortcuts import render

from registry import presenters, selectors
from registry.models.evaluations import Visibility


def evaluation(request, slug):
    record = selectors.evaluation_detail(slug, request.user)
    if record is None:
        raise Http404("No evaluation has this address.")
    if record.visibility == Visibility.WITHDRAWN:
        return render(request, "registry/evaluation_withdrawn.html", {"evaluation": record}, status=410)
    return render(request, "registry/evaluation_detail.html", {
        "evaluation": record,
        "sections": presenters.record_sections(record, selectors.design_tree()),
    })
