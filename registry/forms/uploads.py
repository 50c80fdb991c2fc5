"""The journey's document upload: the knowledge base's own form, without its
"evaluations" field (the record being edited is the one linked) and with GOV.UK
error-summary links."""
from registry.forms.base import GovukForm
from registry.forms.documents import DocumentUploadForm


class JourneyDocumentForm(DocumentUploadForm, GovukForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["evaluations"]

    def document_fields(self):
        """What add_document needs besides the bytes, from the cleaned form."""
        data = self.cleaned_data
        fields = {k: data.get(k) for k in ("kind", "month", "year")}
        fields.update({k: data.get(k) or "" for k in ("publisher", "source_url")})
        fields["language"] = data.get("language") or "en"
        return {"title": data.get("title", ""), "extracted": self.extracted, **fields}
