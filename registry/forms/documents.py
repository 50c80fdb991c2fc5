"""Uploading a document to the knowledge base. Moderators use it on
/documents/upload/; the submission journey reuses it (drop the `evaluations`
field and pass the record to save())."""
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from registry.ingest import UnreadableDocument, extract, media_type_for
from registry.models import Evaluation
from registry.models.documents import DocumentKind
from registry.models.evaluations import http_url_validator
from registry.services.documents import add_document, find_duplicate


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A PDF, Markdown, HTML or plain text file.",
        error_messages={"required": "Select a file to upload.", "empty": "The selected file is empty.",
                        "invalid": "The selected file could not be read. Try uploading it again."},
    )
    title = forms.CharField(label="Title (optional)", max_length=255, required=False,
                            help_text="Leave blank to use the file name.",
                            error_messages={"max_length": "Title must be 255 characters or fewer"})
    kind = forms.ChoiceField(label="Kind of document", choices=DocumentKind.choices, initial=DocumentKind.REPORT)
    publisher = forms.CharField(label="Publisher (optional)", max_length=255, required=False,
                                error_messages={"max_length": "Publisher must be 255 characters or fewer"})
    month = forms.IntegerField(label="Month published (optional)", required=False, min_value=1, max_value=12,
                               help_text="For example, 3",
                               error_messages={"invalid": "Enter the month as a number from 1 to 12",
                                               "min_value": "The month must be a number from 1 to 12",
                                               "max_value": "The month must be a number from 1 to 12"})
    year = forms.IntegerField(label="Year published (optional)", required=False, min_value=1900, max_value=2100,
                              help_text="For example, 2021",
                              error_messages={"invalid": "Enter the year as a number, for example 2021",
                                              "min_value": "The year must be between 1900 and 2100",
                                              "max_value": "The year must be between 1900 and 2100"})
    source_url = forms.CharField(label="Source web address (optional)", max_length=1000, required=False,
                                 validators=[http_url_validator], help_text="Where the document is published.",
                                 error_messages={"max_length": "Web address must be 1000 characters or fewer"})
    language = forms.CharField(label="Language code (optional)", max_length=10, initial="en", required=False,
                               help_text="For example, en or cy.",
                               error_messages={"max_length": "Language code must be 10 characters or fewer"})
    evaluations = forms.CharField(
        label="Evaluations it supports", required=False,
        help_text="The address of each record (the last part of its web address), separated by commas.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_size = filesizeformat(settings.REGISTRY_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = f"A PDF, Markdown, HTML or plain text file, up to {max_size}."
        self.extracted = None
        self.duplicate = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REGISTRY_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file must be smaller than {filesizeformat(limit)}; this one is {filesizeformat(upload.size)}."
            )
        try:
            media_type_for(upload.name)
            data = upload.read()
            self.extracted = extract(data, upload.name)
        except UnreadableDocument as error:
            raise ValidationError(str(error)) from error
        self.data_bytes = data
        self.duplicate = find_duplicate(data)
        return upload

    def clean_evaluations(self):
        raw = self.cleaned_data.get("evaluations", "").replace("\n", ",").split(",")
        slugs = [s.strip().strip("/").split("/")[-1] for s in raw]  # a pasted record address works too
        slugs = [s for s in slugs if s]
        found = {e.slug: e for e in Evaluation.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise ValidationError(f"No record has the address {', '.join(unknown[:5])}.")
        return [found[s] for s in dict.fromkeys(slugs)]

    def save(self, evaluations=()):
        """Store the document (or link the existing copy); returns (document, created)."""
        data = self.cleaned_data
        linked = list(data.get("evaluations") or []) + list(evaluations)
        fields = {k: data.get(k) for k in ("kind", "publisher", "month", "year", "source_url")}
        fields["language"] = data.get("language") or "en"
        fields = {k: ("" if v is None and k in ("publisher", "source_url") else v) for k, v in fields.items()}
        return add_document(
            self.data_bytes, data["file"].name, title=data.get("title", ""), evaluations=linked,
            extracted=self.extracted, **fields,
        )
