"""Write operations. Each validates (the model's `full_clean()` and
registry.rules), saves inside one transaction, records who acted and why in the
history, and leaves the search index to follow after commit
(registry.search.signals).

  drafts.py     a record's answers: the journey's steps and rows, the API's create and update
  workflow.py   submit, return for changes, publish, withdraw
  revisions.py  changes to a published record, as a draft copy applied when published
  documents.py  the knowledge base: one document or a batch from bytes; attach to and detach from a record
  accounts.py   accounts, departments and API tokens

The journey's views and the API's views call these same functions; there is no
second write path.
"""
