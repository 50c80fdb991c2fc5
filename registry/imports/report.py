"""A problem in the words the command and the report page show."""

from registry.imports.rows import Problem


def where(problem: Problem) -> str:
    """ "Row 4, lead department" / "Findings sheet, row 3, outcome" / "The file"."""
    parts = []
    if problem.sheet != "records":
        parts.append(f"{problem.sheet.capitalize()} sheet")
    if problem.row is not None:
        parts.append(f"row {problem.row}" if parts else f"Row {problem.row}")
    if problem.column:
        parts.append(problem.column.replace("_", " "))
    return ", ".join(parts) or "The file"


def problem_line(problem: Problem) -> str:
    return f"{where(problem)}: {problem.message}"
