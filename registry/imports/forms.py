"""The upload form of /import/: the records file and, for a CSV, the findings file."""

from django import forms

from registry.imports.readers import MAX_BYTES, MAX_MB


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Records file",
        help_text="A CSV or Excel workbook (.xlsx) in the template's columns, smaller than "
                  f"{MAX_MB} MB. A workbook may have a findings sheet.",
        error_messages={"required": "Select a CSV or Excel file to import", "empty": "The selected file is empty"},
    )
    findings = forms.FileField(
        label="Findings file", required=False,
        help_text="For a CSV of records: the findings, as a second CSV in the findings template's columns.",
        error_messages={"empty": "The selected findings file is empty"},
    )

    def clean_file(self):
        return _bytes(self.cleaned_data["file"])

    def clean_findings(self):
        upload = self.cleaned_data.get("findings")
        return _bytes(upload) if upload else None


def _bytes(upload) -> bytes:
    """The file's bytes, refused by its size before any is read."""
    if upload.size > MAX_BYTES:
        raise forms.ValidationError(f"The file must be smaller than {MAX_MB} MB. Split it into smaller files")
    return upload.read()
