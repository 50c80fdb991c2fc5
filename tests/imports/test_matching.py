"""Reports matched to records by external id or title, from the file name or a manifest."""

from pathlib import Path

import pytest

from registry.imports.matching import match_documents

pytestmark = pytest.mark.django_db


def test_files_are_matched_by_external_id_or_title_and_the_rest_listed():
    paths = [Path("reports/project-crewe.pdf"), Path("reports/project-crewe-final-report.pdf"),
             Path("reports/Project Crewe Research Report.md"), Path("reports/holiday photos.pdf"),
             Path("reports/project.pdf")]
    found = match_documents(paths)
    assert {p.name: r.slug for p, r in found.matched.items()} == {
        "project-crewe.pdf": "project-crewe", "project-crewe-final-report.pdf": "project-crewe",
        "Project Crewe Research Report.md": "project-crewe"}
    assert [(p.name, why) for p, why in found.unmatched] == [
        ("holiday photos.pdf", "The file name holds no record's external id or title"),
        ("project.pdf", "The file name holds no record's external id or title")]


def test_a_manifest_names_each_files_record():
    manifest = (b"file,external_id,title\nreport-a.pdf,lincolnshire-partners-in-practice,\n"
                b"report-b.pdf,,Project Crewe Research Report\nreport-c.pdf,no-such-record,\n")
    paths = [Path("report-a.pdf"), Path("report-b.pdf"), Path("report-c.pdf"), Path("report-d.pdf")]
    found = match_documents(paths, manifest)
    assert {p.name: r.slug for p, r in found.matched.items()} == {
        "report-a.pdf": "lincolnshire-partners-in-practice", "report-b.pdf": "project-crewe"}
    assert [(p.name, why) for p, why in found.unmatched] == [
        ("report-c.pdf", "No record has the external id “no-such-record”"),
        ("report-d.pdf", "The manifest does not list this file")]
