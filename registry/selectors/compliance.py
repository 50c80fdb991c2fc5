"""Publication compliance: published evaluations, complete or ongoing, whose
planned final publication date has passed with no published report, per
department, and how late each is.

What counts is only what a record states:
- The planned date is the record's "Publication of final results" event date
  (EventCategory.FINAL_RESULTS) marked intended or with no status given; an
  undated month counts as the whole year. When a record gives several, the
  latest is its current plan. A record whose final results date is marked
  actual says its results are out, so it is never due.
- A published report is a linked Document of the report kind, or a link the
  record lists as "Link(s) to published report(s)": either way the record says
  a report exists, and calling it late would contradict it.
- A department is the record's lead department: the one accountable for
  publishing. Records with none stated are counted under their own row.

Two queries whatever the registry's size: the candidates' final results dates
with the fields a list shows, and the ids of those with a report. The rest is
Python over the fetched values.
"""

from dataclasses import dataclass, field
from datetime import date

from registry.models import Document, EventDate
from registry.models.choices import Stage, Visibility
from registry.models.documents import DocumentKind
from registry.models.evaluations import DateStatus, EventCategory, Link, LinkKind

DUE_STAGES = (Stage.COMPLETE, Stage.ONGOING)
NO_DEPARTMENT = "none"  # the code the page and CSV use for records with no lead department


@dataclass
class DueRecord:
    id: int
    slug: str
    title: str
    stage: str
    department_code: str
    department_name: str
    year: int
    month: int | None
    status: str
    months_late: int = 0
    has_report: bool = False

    @property
    def reference(self):
        return f"ER-{self.id:05d}"

    @property
    def planned(self):
        import calendar

        return f"{calendar.month_name[self.month]} {self.year}" if self.month else str(self.year)

    @property
    def stage_label(self):
        return Stage(self.stage).label

    @property
    def status_label(self):
        return DateStatus(self.status).label if self.status else "Not stated"

    @property
    def lateness(self):
        years, months = divmod(self.months_late, 12)
        parts = ([f"{years} year{'s' if years != 1 else ''}"] if years else []) + (
            [f"{months} month{'s' if months != 1 else ''}"] if months else [])
        return " ".join(parts)


@dataclass
class DepartmentCompliance:
    code: str
    name: str
    due: int = 0
    reported: int = 0
    late: list = field(default_factory=list)

    @property
    def late_count(self):
        return len(self.late)

    @property
    def longest(self):
        return self.late[0] if self.late else None


@dataclass
class Compliance:
    today: date
    departments: list
    late: list

    @property
    def due(self):
        return sum(d.due for d in self.departments)

    @property
    def reported(self):
        return sum(d.reported for d in self.departments)

    def department(self, code):
        return next((d for d in self.departments if d.code == code), None)


def months_after(year, month, today):
    """Whole months from the end of the planned month (December when only a year
    is given) to today's month: 1 or more once that month has passed."""
    return (today.year - year) * 12 + today.month - (month or 12)


def _candidates():
    """The latest planned final results date of each published complete or
    ongoing record, and the records that say their results are out."""
    rows = EventDate.objects.filter(
        category=EventCategory.FINAL_RESULTS,
        evaluation__visibility=Visibility.PUBLISHED,
        evaluation__stage__in=DUE_STAGES,
    ).values_list(
        "evaluation_id", "evaluation__slug", "evaluation__title", "evaluation__stage",
        "evaluation__lead_department__code", "evaluation__lead_department__name", "year", "month", "status",
    )
    latest: dict[int, DueRecord] = {}
    published_already: set[int] = set()
    for pk, slug, title, stage, code, name, year, month, status in rows:
        if status == DateStatus.ACTUAL:
            published_already.add(pk)
            continue
        record = DueRecord(pk, slug, title, stage, code or NO_DEPARTMENT, name or "No lead department stated",
                           year, month, status)
        current = latest.get(pk)
        if current is None or (year, month or 12) > (current.year, current.month or 12):
            latest[pk] = record
    return {pk: record for pk, record in latest.items() if pk not in published_already}


def _with_report():
    """Ids of published complete or ongoing records that link a report: one query
    (a UNION), with the records chosen by a condition rather than a list of ids,
    which on SQLite could outgrow its limit on parameters."""
    due = {"evaluation__visibility": Visibility.PUBLISHED, "evaluation__stage__in": DUE_STAGES}
    documents = Document.evaluations.through.objects.filter(
        document__kind=DocumentKind.REPORT, **due).order_by().values_list("evaluation_id")
    links = Link.objects.filter(kind=LinkKind.REPORT, **due).order_by().values_list("evaluation_id")
    return {pk for (pk,) in documents.union(links)}


def publication_compliance(today):
    """Each department's due and late records, the busiest with late records
    first, and every late record, longest overdue first."""
    due = {pk: r for pk, r in _candidates().items() if months_after(r.year, r.month, today) >= 1}
    reported = _with_report() if due else set()
    departments: dict[str, DepartmentCompliance] = {}
    for record in due.values():
        record.months_late = months_after(record.year, record.month, today)
        record.has_report = record.id in reported
        department = departments.setdefault(
            record.department_code, DepartmentCompliance(record.department_code, record.department_name))
        department.due += 1
        if record.has_report:
            department.reported += 1
        else:
            department.late.append(record)
    order = lambda r: (-r.months_late, r.title.casefold(), r.id)  # noqa: E731
    for department in departments.values():
        department.late.sort(key=order)
    rows = sorted(departments.values(),
                  key=lambda d: (-d.late_count, d.code == NO_DEPARTMENT, d.name.casefold()))
    late = sorted((r for r in due.values() if not r.has_report), key=order)
    return Compliance(today, rows, late)
