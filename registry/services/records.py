"""Kept only for a caller outside the services package that still imports it:
tests/test_app_servers.py uses `records.create_draft`. New code imports from the
module that does the work (drafts, workflow, revisions, documents, accounts)."""
from registry.services.drafts import create_draft

__all__ = ["create_draft"]
