"""Old home of the API's plain-row reads, now in registry.selectors; this goes once its importers move."""

from registry.selectors import RECORD_FIELDS, JSONRows, document_rows, finding_rows, record_rows  # noqa: F401
