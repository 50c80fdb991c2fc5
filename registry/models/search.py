"""The PostgreSQL search backend's tables (registry/search/postgres_backend.py).

They exist on every database so migrations stay one list, but only the
PostgreSQL backend writes them, and their GIN indexes and the pg_trgm extension
are created on PostgreSQL only (migration 0004). Nothing else reads them: the
rest of the site goes through registry.search.

- SearchEntry: one row per hit a search can return (a published record, or a
  document linked to one): what is shown, faceted, filtered and sorted.
- SearchChunk: the text a query matches, as tsvectors. A record is one chunk
  (title A; methods, types, departments and synonyms B; summary and findings C;
  organisations, programme, places and policy areas D). A document is a title
  chunk and passages of a few hundred words: PostgreSQL stops recording
  positions after 16,383 words and its planner ignores GIN on 20,000-word rows,
  so a whole report is never one row.
- SearchWord: the words the index has held, for "Did you mean" (pg_trgm). A word
  is only ever offered if a chunk still holds it, so it may outlive its records.
"""
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    kind = models.CharField(max_length=12)  # "evaluation" or "document"
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField(blank=True)  # a record's summary and findings, for its snippet
    fields = models.JSONField(default=dict)  # text of the descriptive fields, for field queries
    facets = models.JSONField(default=dict)  # facet and filter values: {"method": [...], ...}
    sort_date = models.IntegerField(default=0)  # yyyymm
    display = models.JSONField(default=dict)
    stamp = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_entry")]


class SearchChunk(models.Model):
    # No index of its own: (entry, number) below serves look-ups by entry.
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    number = models.IntegerField()  # -1: a document's title chunk; 0, 1, ...: passages (a record's only chunk is 0)
    text = models.TextField(blank=True)  # a passage's text, for its snippet
    vector = SearchVectorField()

    class Meta:
        indexes = [models.Index(fields=["entry", "number"], name="search_chunk_entry_number")]


class SearchWord(models.Model):
    word = models.CharField(max_length=60, primary_key=True)
