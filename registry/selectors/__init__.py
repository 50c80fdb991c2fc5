"""Read queries: what views, the API and the journey call to fetch records and
documents. Visibility and prefetches are `EvaluationQuerySet.visible_to` and
`with_detail` (registry.models.querysets); the modules here name the reads.

- records: a record with its page's relations, lists, the home page's counts
- documents: the knowledge base, which follows the records it supports
- drafts: the journey, review and history pages
- rows: records and findings as plain rows for the API's lists
- vocabularies: the design tree and department choices
"""

from registry.models.querysets import (
    DOCUMENT_SUMMARY_FIELDS,
    RECORD_DOCUMENTS,
    documents_count,
    first_documents,
)
from registry.selectors.documents import (
    document_detail,
    document_list,
    document_rows,
    documents_of_evaluation,
    evaluation_documents,
    visible_documents,
)
from registry.selectors.drafts import co_editor_ids, editable_record, record_for_review, review_queue, your_evaluations
from registry.selectors.records import (
    evaluation_detail,
    evaluation_list,
    evaluation_title,
    evaluations_by_slug,
    evaluations_in_order,
    registry_counts,
    visible_evaluations,
    with_record_relations,
)
from registry.selectors.rows import RECORD_FIELDS, JSONRows, finding_rows, record_rows
from registry.selectors.vocabularies import department_choices, design_tree

__all__ = [
    "DOCUMENT_SUMMARY_FIELDS",
    "RECORD_DOCUMENTS",
    "RECORD_FIELDS",
    "JSONRows",
    "co_editor_ids",
    "department_choices",
    "design_tree",
    "document_detail",
    "document_list",
    "document_rows",
    "documents_count",
    "documents_of_evaluation",
    "editable_record",
    "evaluation_detail",
    "evaluation_documents",
    "evaluation_list",
    "evaluation_title",
    "evaluations_by_slug",
    "evaluations_in_order",
    "finding_rows",
    "first_documents",
    "record_for_review",
    "record_rows",
    "registry_counts",
    "review_queue",
    "visible_documents",
    "visible_evaluations",
    "with_record_relations",
    "your_evaluations",
]
