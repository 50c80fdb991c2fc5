"""Published records' API representations, stored once rendered (registry/api/stored.py).

Two tables, so a change and a reader racing it cannot leave a stale body behind:
- RepresentationStamp: a token replaced whenever anything a record's representation
  shows changes (the record, its rows and lists, a vocabulary name, a document);
- StoredRepresentation: the body as rendered, with the stamp's token read before the
  record was. A body whose token is not the stamp's is stale, and is rendered again.
Plain ids, not foreign keys: a stamp is written in the transaction that deletes its record.
"""
from django.db import models


class RepresentationStamp(models.Model):
    evaluation_id = models.BigIntegerField(primary_key=True)
    token = models.CharField(max_length=32)


class StoredRepresentation(models.Model):
    evaluation_id = models.BigIntegerField(primary_key=True)
    token = models.CharField(max_length=32, blank=True, help_text="The stamp's token when rendered (blank: none).")
    updated_at = models.DateTimeField(help_text="The record's, for the list's Last-Modified.")
    body = models.TextField(help_text="JSON as the API renders it, its addresses without the site's origin.")
