"""Spreadsheets for the import tests, written as a department would fill them in."""

import csv
import io

from registry.imports.columns import FINDING_NAMES, RECORD_NAMES


def row(**cells):
    base = {
        "external_id": "dfe-2021-001",
        "title": "Evaluation of the tutoring pilot",
        "summary": "A randomised trial of tutoring in 40 schools.",
        "lead_department": "DfE",
        "other_departments": "Department of Health and Social Care",
        "stage": "complete",
        "evaluation_types": "Impact",
        "methods": "randomized control trial",
        "programme": "Tutoring Programme",
        "places": "Leeds; Bradford",
        "organisations": "Ecorys (evaluator)",
        "policy_areas": "",
        "event_dates": "Evaluation start: June 2021 (actual); Evaluation end: March 2023 (actual)",
        "report_links": "Final report https://www.gov.uk/government/publications/tutoring-pilot",
        "grant_funded": "no",
        "major_project": "no",
        "cost_amount": "12500.50",
        "cost_price_year": "2022",
        "permission_to_share": "yes",
    }
    base.update(cells)
    return base


def csv_bytes(rows, columns=RECORD_NAMES):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="raise")
    writer.writeheader()
    for item in rows:
        writer.writerow(item)
    return buffer.getvalue().encode("utf-8")


def findings_bytes(rows):
    return csv_bytes(rows, FINDING_NAMES)
