"""The PostgreSQL search backend's tables (registry/search/postgres_backend.py).

They exist on every database so migrations stay one list and Django's test
flushes empty them, but only the PostgreSQL backend writes or reads them (with
SQL of its own), and their GIN indexes, storage settings and the pg_trgm
extension are created on PostgreSQL only (migration 0004).

- SearchEntry: one row per hit a search can return (a published record, or a
  document linked to one): what is shown, faceted, filtered and sorted.
- SearchChunk: the text a query matches, as tsvectors, one row per part: a
  record's title, its methods/types/departments, its other descriptive fields
  and its summary with findings; a document's title and its ~300-word passages.
  PostgreSQL stops recording positions after 16,383 words and its planner ignores
  GIN on 20,000-word rows, so a whole report is never one row. Which part a chunk
  is (`number`) stands in for tsvector weights: it is read without opening the
  vector, which keeps ranking cheap.
- SearchWord: the words the index has held, for "Did you mean" (pg_trgm). A word
  is only ever offered if a chunk still holds it, so it may outlive its records.
"""
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class TextArrayField(models.TextField):
    """text[] on PostgreSQL (GIN-indexed, unnested for facet counts); plain text on
    other databases, where nothing writes it."""

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"


class IntArrayField(models.TextField):
    """int[] on PostgreSQL (GIN-indexed); plain text on other databases, where nothing writes it."""

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"


class SearchEntry(models.Model):
    kind = models.CharField(max_length=12)  # "evaluation" or "document"
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField(blank=True)  # a record's summary and findings, for its snippet
    fields = models.JSONField(default=dict)  # text of the descriptive fields, for field queries
    facet_values = TextArrayField(default="")  # "method:rct", "year:2021"...: counted as facets, filtered
    filter_values = TextArrayField(default="")  # "place:lincolnshire", "department_kw:dfe"...: filtered only
    sort_date = models.IntegerField(default=0)  # yyyymm
    display = models.JSONField(default=dict)
    stamp = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_entry")]


class SearchChunk(models.Model):
    # No index of its own: (entry, number) below serves look-ups by entry.
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    # -1 title; -2 methods, types, departments; -3 organisations, programme, places,
    # policy areas; -4 a record's summary and findings; 0, 1, ... a document's passages.
    number = models.IntegerField()
    start = models.IntegerField(default=0)  # a passage's place in its document's text
    end = models.IntegerField(default=0)
    vector = SearchVectorField()
    # Hashes of the chunk's adjacent pairs of frequent words (stemmed), so a phrase of
    # common words is found by the GIN index instead of by checking word positions in
    # every chunk holding its words: that took half a second.
    pairs = IntArrayField(default="")

    class Meta:
        indexes = [models.Index(fields=["entry", "number"], name="search_chunk_entry_number")]


class SearchWord(models.Model):
    word = models.CharField(max_length=60, primary_key=True)


class SearchFrequentStem(models.Model):
    """The most frequent word stems, chosen by each full rebuild: only pairs of two
    of these are stored for phrases (see postgres_backend.pair_hashes). A phrase
    with a rarer word is found by that word's own index entry and checked by word
    positions in the few chunks holding it, so its pairs need not be stored."""

    stem = models.CharField(max_length=60, primary_key=True)


class SearchVector(models.Model):
    """A published record's meaning, for meaning-based retrieval (registry/search/meaning.py):
    the float32 vector of its title, summary and findings, L2-normalised, as bytes.

    Kept in the database whichever search backend runs, so every app server reads the
    same vectors, and written with the index (only for what the index holds: never a
    draft or a withdrawn record). A change deletes and inserts, never updates, so a
    reader can tell the store changed from its count and largest id. The title and
    display fields are those of the index entry, so a record found only by meaning is
    shown without reading the record itself."""

    kind = models.CharField(max_length=12)  # "evaluation" (documents' passages are not embedded)
    object_id = models.BigIntegerField()
    vector = models.BinaryField()
    title = models.TextField()
    display = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_vector")]
