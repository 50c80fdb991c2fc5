from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from registry import selectors
from registry.forms.documents import DocumentUploadForm
from registry.permissions import can_see_unpublished
from registry.web.pagination import paginate


def document_list(request):
    """The knowledge base, or with `?evaluation=<slug>` one record's documents (the
    record page shows the first few and links here). A record this user may not
    see answers 404, as its page does."""
    slug = request.GET.get("evaluation", "").strip()
    record = None
    if slug:
        record, documents = selectors.evaluation_documents(slug, request.user)
        if record is None:
            raise Http404("No evaluation has this address.")
    else:
        documents = selectors.document_list(selectors.visible_documents(request.user))
    return render(request, "registry/document_list.html", {
        "page": paginate(request, documents), "evaluation": record, "can_upload": can_see_unpublished(request.user),
    })


def document(request, pk):
    record = selectors.document_detail(pk, request.user)
    if record is None:
        raise Http404("No document has this address.")
    # Plain extracted text, shown as escaped paragraphs (blank lines separate them).
    paragraphs = [p.strip() for p in record.text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return render(request, "registry/document_detail.html", {"document": record, "paragraphs": paragraphs})


def download(request, pk):
    """The original file, for those who may see the document."""
    record = selectors.document_detail(pk, request.user)
    if record is None or not record.file:
        raise Http404("No file is stored for this document.")
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("The file is no longer stored.") from error
    return FileResponse(handle, as_attachment=True, filename=record.original_filename or None,
                        content_type=record.media_type or "application/octet-stream")


def upload(request):
    """Moderators add a document to the knowledge base."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_see_unpublished(request.user):
        raise Http404("No page has this address.")
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record, created = form.save()
        if created:
            messages.success(request, f"“{record.title}” was added to the registry’s documents.")
        else:
            messages.info(request, f"This file is already in the registry’s documents as “{record.title}”; "
                                   "nothing new was stored.")
        return redirect(record.get_absolute_url())
    return render(request, "registry/document_upload.html", {"form": form, "errors": form.errors},
                  status=400 if form.errors else 200)
