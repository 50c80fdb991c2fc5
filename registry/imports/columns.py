"""The template's columns: their names (the header row) and what each holds, in
the words the template's guidance row and the validation report use."""

LIST_SEPARATOR = ";"

# (column, what to write in it)
RECORD_COLUMNS = (
    ("external_id", "Your id for the record: lowercase letters, numbers and hyphens. Importing the same id "
                    "again updates that record. Required."),
    ("title", "The evaluation's title. Required."),
    ("summary", "What was evaluated and how (Markdown)."),
    ("lead_department", "The lead department: its name, acronym (DfE) or code."),
    ("other_departments", "Other departments involved, separated by semicolons."),
    ("stage", "Planned, ongoing or complete."),
    ("evaluation_types", "Impact, process, value for money or other, separated by semicolons."),
    ("methods", "Methods by name or acronym (RCT; Propensity score matching). An Other method with its "
                "description: Other (Impact evaluation): what the method was."),
    ("programme", "The programme the evaluation belongs to."),
    ("places", "Places covered, separated by semicolons."),
    ("organisations", "Organisations with their role in brackets: Ecorys (evaluator); separated by semicolons. "
                      "Roles: commissioner, evaluator, delivery partner, funder, other."),
    ("policy_areas", "GOV.UK policy areas, separated by semicolons."),
    ("event_dates", "Dates with their status: Evaluation start: June 2021 (actual); Evaluation end: 2023 "
                    "(intended). Other events as Other (what happened): March 2022."),
    ("report_links", "Links to published reports: a title then the web address, separated by semicolons."),
    ("plan_links", "Links to evaluation plans, as report_links."),
    ("evaluation_links", "Links to published evaluations, as report_links."),
    ("grant_funded", "yes or no."),
    ("grant_number", "The grant number, when grant funded."),
    ("major_project", "Part of the Government Major Projects Portfolio: yes or no."),
    ("major_project_number", "The Major Project number, when it is one."),
    ("cost_amount", "The evaluation's cost in pounds, a number (12500.50)."),
    ("cost_price_year", "The price year of the cost (2023)."),
    ("cost_note", "A note on the cost."),
    ("permission_to_share", "yes or no: you have permission to publish this record."),
)

FINDING_COLUMNS = (
    ("external_id", "The external id of the record the finding belongs to. Required."),
    ("intervention", "The project or strand, when the record has several."),
    ("outcome", "What was measured. Required."),
    ("comparison", "What the intervention was compared with."),
    ("direction", "Increase, decrease, no change, mixed or not reported."),
    ("effect_size", "A number."),
    ("effect_unit", "For example: percentage points."),
    ("ci_lower", "Lower end of the confidence interval, a number."),
    ("ci_upper", "Upper end of the confidence interval, a number."),
    ("ci_level", "The interval's level in per cent, for example 95."),
    ("p_value", "A number from 0 to 1."),
    ("sample_size", "A whole number."),
    ("significance", "Statistically significant, not statistically significant or not reported."),
    ("statement", "The finding in plain language. Required."),
)

RECORD_NAMES = tuple(name for name, _ in RECORD_COLUMNS)
FINDING_NAMES = tuple(name for name, _ in FINDING_COLUMNS)

# Headers written otherwise that mean the same column (the API's CSV calls the id "slug").
ALIASES = {"slug": "external_id", "id": "external_id"}

# Columns of the API's CSV export that are the registry's own (addresses, counts,
# times): read past, never imported.
EXPORT_ONLY = frozenset({
    "url", "api_url", "lead_department_code", "method_codes", "findings", "documents", "documents_count",
    "summary_machine_written", "version", "published_at", "updated_at", "links",
})

# What a person calls a column in the report.
def column_label(name: str) -> str:
    return name.replace("_", " ").capitalize()
