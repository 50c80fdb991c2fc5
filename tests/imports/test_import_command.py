"""manage.py import_records: the report, exit status 1 on any invalid row, --dry-run saves nothing."""

import pytest
from django.core.management import call_command

from registry.models import Evaluation
from registry.models.choices import Visibility
from tests.imports.helpers import csv_bytes, findings_bytes, row

pytestmark = pytest.mark.django_db


def test_an_invalid_row_prints_row_and_column_and_exits_1(tmp_path, moderator, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(), row(external_id="two", lead_department="Ministry of Magic")]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_records", str(path), "--by", moderator.username)
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "Row 3, lead department: “Ministry of Magic” is not a department the registry lists" in out
    assert "nothing was saved" in out
    assert not Evaluation.objects.filter(slug__in=["dfe-2021-001", "two"]).exists()


def test_dry_run_reports_and_saves_nothing(tmp_path, moderator, capsys):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes([row()]))
    call_command("import_records", str(path), "--dry-run", "--by", moderator.username)
    assert "1 records and 0 findings are valid (dry run: nothing saved)" in capsys.readouterr().out
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()


def test_publish_imports_published_records_with_findings(tmp_path, moderator, capsys):
    records, findings = tmp_path / "r.csv", tmp_path / "f.csv"
    records.write_bytes(csv_bytes([row()]))
    findings.write_bytes(findings_bytes([{"external_id": "dfe-2021-001", "outcome": "Attainment",
                                          "statement": "Better results."}]))
    call_command("import_records", str(records), "--findings", str(findings), "--publish",
                 "--by", moderator.username)
    assert "imported 1 records (1 new, 0 updated, 1 published) and 1 findings" in capsys.readouterr().out
    record = Evaluation.objects.get(slug="dfe-2021-001")
    assert record.visibility == Visibility.PUBLISHED and record.findings.count() == 1


def test_bench_imports_and_removes_its_rows(moderator, capsys):
    call_command("import_records", "--bench", "3", "--by", moderator.username)
    out = capsys.readouterr().out
    assert "bench: 3 rows imported and published in" in out and "removed 3 synthetic records" in out
    assert not Evaluation.objects.filter(slug__startswith="import-bench-").exists()
