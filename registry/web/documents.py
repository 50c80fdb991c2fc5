from django.http import Http404
from django.shortcuts import render

from registry import selectors
from registry.web.pagination import paginate


def document_list(request):
    page = paginate(request, selectors.document_list(selectors.visible_documents(request.user)))
    return render(request, "registry/document_list.html", {"page": page})


def document(request, pk):
    record = selectors.document_detail(pk, request.user)
    if record is None:
        raise Http404("No document has this address.")
    return render(request, "registry/document_detail.html", {"document": record})
