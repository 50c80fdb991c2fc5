"""The "Check your answers" rows: the record page's own wording (registry.presenters),
each row with a link back to the question that sets it. No queries: works on a
fetched record."""
from django.urls import reverse

from registry import presenters

# Which journey step sets each row the record page shows.
ROW_STEPS = {
    "Lead department": "basics",
    "Other departments": "basics",
    "Evaluation stage": "stage",
    "Evaluation types": "types",
    "Grant information": "costs",
    "Government Major Project information": "costs",
    "Policies": "policy-areas",
    "Programme": "context",
    "Organisations": "organisations",
    "Places": "context",
    "Cost": "costs",
    "Note": "costs",
    "Permission to share confirmed": "sharing",
}


def _step_for(row):
    if row.key in ROW_STEPS:
        return ROW_STEPS[row.key]
    if row.key.endswith(" methods"):
        return "methods"
    return "links"


def answer_sections(evaluation, tree, *, editable):
    """[(heading, [{"key", "values", "empty", "change_url"}])] in the journey's order."""
    sections = presenters.record_sections(evaluation, tree)

    def change(step):
        if not editable:
            return ""
        return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": step}) + "?return=check"

    def row(key, values, step, empty=presenters.NOT_PROVIDED, markdown=False):
        return {"key": key, "values": values, "empty": empty, "change_url": change(step), "step": step,
                "markdown": markdown}

    def from_presenter(rows):
        return [row(r.key, r.values, _step_for(r), r.empty) for r in rows]

    about = [row("Title", [evaluation.title], "basics")]
    about += from_presenter(sections["description"])
    submission = getattr(evaluation, "submission", None)
    co_editors = [u.username for u in submission.co_editors.all()] if submission else []
    about.append(row("Co-editors", co_editors, "basics", "None"))
    dates = [f"{d.label}: {d.when}" + (f" ({d.get_status_display().lower()})" if d.status else "")
             for d in evaluation.event_dates.all()]
    findings = [f"{f.outcome}: {f.statement}" + (f" ({f.effect_display})" if f.effect_size is not None else "")
                for f in evaluation.findings.all()]
    documents = [{"text": d.title, "href": d.get_absolute_url()} for d in evaluation.documents.all()]
    return [
        ("About the evaluation", about),
        ("Summary", [row("Summary", [evaluation.summary] if evaluation.summary else [], "summary", markdown=True)]),
        ("Event dates", [row("Event dates", dates, "dates", "No dates added")]),
        ("Context", from_presenter(sections["context"])),
        ("Costs", from_presenter(sections["costs"])),
        ("Links and documents", from_presenter(sections["sharing"])[:-1]
         + [row("Documents", documents, "uploads", "No documents added")]),
        ("Findings", [row("Findings", findings, "findings", "No findings added")]),
        ("Sharing", from_presenter(sections["sharing"])[-1:]),
    ]
