"""Import a department's catalogue from a spreadsheet (registry/imports/).

    python manage.py import_records records.xlsx [--dry-run] [--publish] [--by USERNAME]
    python manage.py import_records records.csv --findings findings.csv
    python manage.py import_records --bench 5000

Every problem is printed by row and column, and then nothing is saved (exit
status 1). Rows that look like published records, or like each other, are
printed as warnings ("Row 12 (Title): looks like Other title /evaluations/other/"):
they never stop the import (exit status 0). --dry-run checks the file and tries every write, then rolls it back.
--bench N writes N synthetic valid rows to a CSV, imports them, prints the time
against the one-minute target and removes them again.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.imports import importer
from registry.imports.report import problem_line, warning_lines

BENCH_TARGET_SECONDS = 60
BENCH_PREFIX = "import-bench-"


class Command(BaseCommand):
    help = "Import evaluation records from a CSV or XLSX file in the registry's template format."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The records: .csv or .xlsx (with a findings sheet if any).")
        parser.add_argument("--findings", help="For a CSV: the findings, as a second CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, save nothing.")
        parser.add_argument("--publish", action="store_true", help="Publish the records (default: drafts).")
        parser.add_argument("--by", help="Username the records are imported by (default: the first superuser).")
        parser.add_argument("--bench", type=int, metavar="N", help="Time an import of N synthetic rows.")

    def handle(self, *args, **options):
        user = self.importer(options["by"])
        if options["bench"] is not None:
            return self.bench(options["bench"], user)
        if not options["file"]:
            raise CommandError("Name the file to import.")
        data = self.read(options["file"])
        findings = self.read(options["findings"]) if options["findings"] else None
        self.import_file(data, options["file"], findings, user=user, dry_run=options["dry_run"],
                         publish=options["publish"])

    def import_file(self, data, name, findings, *, user, dry_run, publish):
        started = time.monotonic()
        if dry_run:
            report = importer.trial(data, name, findings, by=user)
        else:
            # Records written so far and their rate (the rows are checked first, before any is written).
            with tqdm(unit="record", desc="Importing", file=self.stderr._out) as bar:
                report = importer.run(data, name, findings, by=user, publish=publish,
                                      progress=lambda done: bar.update(done - bar.n))
        seconds = time.monotonic() - started
        self.warn(report)
        for problem in report.problems:
            self.stdout.write(problem_line(problem))
        if not report.ok:
            self.stdout.write(f"{len(report.problems)} problems in {name}: nothing was saved")
            sys.exit(1)
        if dry_run:
            self.stdout.write(f"{name}: {report.records} records and {report.findings} findings are valid "
                              f"(dry run: nothing saved) in {seconds:.1f}s")
        else:
            self.stdout.write(f"{name}: imported {report.records} records ({report.created} new, {report.updated} "
                              f"updated, {report.published} published) and {report.findings} findings "
                              f"in {seconds:.1f}s")
        return report, seconds

    def warn(self, report):
        for warning in report.warnings:
            for line in warning_lines(warning):
                self.stdout.write(line)
        if report.warnings:
            self.stdout.write(f"{len(report.warnings)} row{'s look' if len(report.warnings) != 1 else ' looks'} like "
                              f"other records: check they are not duplicates (a warning does not stop the import)")
        if report.warnings_note:
            self.stdout.write(report.warnings_note)

    def read(self, path):
        try:
            return Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Could not read {path}: {error.strerror}") from error

    def importer(self, username):
        users = get_user_model().objects
        user = users.filter(username=username).first() if username else users.filter(
            is_superuser=True).order_by("pk").first()
        if user is None:
            user = users.filter(is_staff=True).order_by("pk").first()
        if user is None:
            raise CommandError("No such user: name the importing user with --by (create one with create_user).")
        return user

    def bench(self, n, user):
        from registry.imports.bench import bench_rows, remove_bench_records

        if n < 1:
            raise CommandError("--bench must be at least 1.")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            path.write_bytes(bench_rows(n, BENCH_PREFIX))
            try:
                report, seconds = self.import_file(path.read_bytes(), str(path), None, user=user, dry_run=False,
                                                   publish=True)
            finally:
                removed = remove_bench_records(BENCH_PREFIX)
                self.stdout.write(f"removed {removed} synthetic records")
        verdict = "within" if seconds < BENCH_TARGET_SECONDS else "OVER"
        self.stdout.write(f"bench: {n} rows imported and published in {seconds:.1f}s "
                          f"({verdict} the {BENCH_TARGET_SECONDS}s target)")
        if seconds >= BENCH_TARGET_SECONDS:
            raise CommandError(f"The import took {seconds:.1f}s, over the {BENCH_TARGET_SECONDS}s target.")
