"""Old home of the journey's reads, now in registry.selectors; this goes once its importers move."""

from registry.selectors import (  # noqa: F401
    co_editor_ids,
    editable_record,
    record_for_review,
    review_queue,
    your_evaluations,
)
