"""Bringing in a department's catalogue from a spreadsheet (issue 17).

One row per evaluation (the records sheet) and one row per finding (the
findings sheet, or a second CSV file), in the columns of `columns.py`. A file
is read (`readers.py`), each row's cells are turned into the values the drafts
service takes (`rows.py`, through the vocabularies in `vocabulary.py`), and the
whole file is written through `registry.services.imports` in one transaction
(`importer.py`): one invalid row and nothing is saved. The index is updated
once for the batch when that transaction commits (registry/search/signals.py
collects the ids it marks until then).

A record's stable external id is its address (slug): a row whose external id
names a record updates that record; any other creates a record at that address.
The registry's own export in this format (`export.py`) reads back the same.
"""
