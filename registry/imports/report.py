"""A problem, or a likely duplicate, in the words the command and the report page show."""

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


def look_alike(like) -> str:
    """ "Title /evaluations/slug/" (a published record) / "row 7 of this file (Title)"."""
    if like.row is not None:
        return f"row {like.row} of this file ({like.title})"
    return f"{like.title} {like.url}"


def warning_lines(warning) -> list[str]:
    """ "Row 12 (Title): looks like Other title /evaluations/other/", one line per look-alike."""
    return [f"Row {warning.row} ({warning.title}): looks like {look_alike(like)}" for like in warning.like]
