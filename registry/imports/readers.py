"""Reading a spreadsheet: CSV or XLSX in, rows of text cells out.

Each row comes with its number as the spreadsheet shows it (the header is row
1), so every problem can point at a row and a column. What cannot be read at all
(an empty file, something that is not a spreadsheet, a formula, a file over the
size limit) is a `FileProblem` whose message says what to do.
"""
from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from registry.csv_cells import FORMULA_START
from registry.imports.columns import ALIASES

MAX_BYTES = 20 * 1024 * 1024  # a catalogue of thousands of records is a few MB
MAX_ROWS = 20_000
MAX_COLUMNS = 100  # the template has 24; a sheet claiming 16,384 columns is read no further
# What the workbook's parts may unpack to: a small .xlsx that unpacks to gigabytes is refused
# before openpyxl reads it (its shared strings are read whole into memory).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
RECORDS_SHEET = "records"
FINDINGS_SHEET = "findings"


class FileProblem(Exception):
    """The file as a whole cannot be read (the message is for the person importing)."""

    def __init__(self, message: str, *, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


@dataclass
class Sheet:
    """A sheet's header (column names, lower case) and rows: (row number, {column: text})."""

    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_file(data: bytes, filename: str = "") -> dict[str, Sheet]:
    """The sheets of an uploaded file: {"records": Sheet, "findings": Sheet (XLSX with a findings sheet)}."""
    if not data or not data.strip():
        raise FileProblem("The file is empty. Fill in the template, one row per evaluation, and upload it again")
    if len(data) > MAX_BYTES:
        raise FileProblem(f"The file must be smaller than {MAX_MB} MB. Split it into smaller files")
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xls", ".ods", ".pdf", ".docx")) or b"\x00" in data[:4096]:
        raise FileProblem("The file must be a CSV or an Excel workbook (.xlsx). Save it as one of those and "
                          "upload it again")
    return {RECORDS_SHEET: read_csv(data)}


def read_csv(data: bytes, name: str = RECORDS_SHEET) -> Sheet:
    if len(data) > MAX_BYTES:
        raise FileProblem(f"The file must be smaller than {MAX_MB} MB. Split it into smaller files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileProblem("The file must be a CSV or an Excel workbook (.xlsx). Save it as one of those "
                              "and upload it again") from None
    if any(ch in text[:4096] for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08"):
        raise FileProblem("The file must be a CSV or an Excel workbook (.xlsx). Save it as one of those and "
                          "upload it again")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise FileProblem(f"The file could not be read as a CSV ({error}). Save it again as CSV") from None
    return _sheet(name, rows, csv_file=True)


def read_xlsx(data: bytes) -> dict[str, Sheet]:
    """An Excel workbook, read-only (rows streamed, nothing evaluated). A formula is refused:
    the registry records values a person can check, not what a formula made of them."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem("The file must be a CSV or an Excel workbook (.xlsx). Save it as one of those and "
                          "upload it again") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem(f"The workbook holds more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB of data. "
                          f"Split it into smaller files")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileProblem("The file must be a CSV or an Excel workbook (.xlsx). Save it as one of those and "
                          "upload it again") from None
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        first = book[book.sheetnames[0]]
        records = book[names[RECORDS_SHEET]] if RECORDS_SHEET in names else first
        sheets = {RECORDS_SHEET: _sheet(RECORDS_SHEET, _xlsx_rows(records), csv_file=False)}
        if FINDINGS_SHEET in names:
            sheets[FINDINGS_SHEET] = _sheet(FINDINGS_SHEET, _xlsx_rows(book[names[FINDINGS_SHEET]]),
                                            csv_file=False)
        return sheets
    finally:
        book.close()


def _xlsx_rows(worksheet):
    from openpyxl.utils import get_column_letter

    headers: list[str] = []
    for number, row in enumerate(worksheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS), start=1):
        if number > MAX_ROWS + 1:
            raise FileProblem(f"The sheet has more than {MAX_ROWS} rows. Split it into smaller files")
        cells = []
        for index, cell in enumerate(row, start=1):
            if getattr(cell, "data_type", None) == "f":
                column = ALIASES.get(_header(headers[index - 1]), _header(headers[index - 1])) \
                    if index <= len(headers) else ""
                raise FileProblem(f"Cell {get_column_letter(index)}{number} of the {worksheet.title} sheet holds "
                                  f"a formula. Replace it with the value itself", row=number, column=column)
            cells.append(_xlsx_text(getattr(cell, "value", None)))
        if number == 1:
            headers = cells
        yield cells


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    return str(value)


def _sheet(name: str, rows, *, csv_file: bool) -> Sheet:
    sheet = Sheet(name)
    for number, cells in enumerate(rows, start=1):
        if number == 1:
            sheet.columns = [ALIASES.get(_header(c), _header(c)) for c in cells]
            continue
        if number > MAX_ROWS + 1:
            raise FileProblem(f"The file has more than {MAX_ROWS} rows. Split it into smaller files")
        raw = [str(c or "").strip() for c in cells]
        if not any(raw):
            continue  # a blank line is no row
        if csv_file:
            for index, value in enumerate(raw):
                if value.startswith("="):
                    column = sheet.columns[index] if index < len(sheet.columns) else f"column {index + 1}"
                    raise FileProblem(f"Row {number}, {column}: the cell holds a formula. Replace it with the "
                                      f"value itself", row=number, column=column)
        values = [_cell(c) for c in raw]
        sheet.rows.append((number, dict(zip(sheet.columns, values, strict=False))))
    if not sheet.columns or not any(sheet.columns):
        raise FileProblem("The file is empty. Fill in the template, one row per evaluation, and upload it again")
    return sheet


def _header(text: str) -> str:
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def _cell(text: str) -> str:
    """A cell's text, trimmed; the apostrophe the registry's own exports put before
    a leading = + - @ (registry/csv_cells.py) is taken off again."""
    text = str(text or "").strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_START:
        return text[1:]
    return text
