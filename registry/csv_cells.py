"""Cells for the CSV files the registry hands out (compare and insights pages,
the API's CSV format), made safe to open in a spreadsheet."""

# Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas: text starting with = + - @ (or a tab or
    carriage return) is prefixed with an apostrophe, so it is shown as text.
    Anything else (numbers, None) is returned as it is, for the csv writer."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
