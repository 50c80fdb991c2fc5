"""Kept for callers outside the services package that still import from here
(tests/test_app_servers.py uses `create_draft`). New code imports from the
module that does the work: drafts, workflow, revisions or documents."""
from registry.services.documents import attach_document, detach_document
from registry.services.drafts import add_item, create_draft, remove_item, start_draft
from registry.services.revisions import start_revision
from registry.services.workflow import missing_answers, publish, return_for_changes, submit, withdraw

__all__ = [
    "add_item", "attach_document", "create_draft", "detach_document", "missing_answers", "publish",
    "remove_item", "return_for_changes", "start_draft", "start_revision", "submit", "withdraw",
]
