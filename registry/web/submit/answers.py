"""The "Check your answers" rows: the record page's own wording (registry.presenters),
each row with a link back to the question that sets it. No queries: works on a
fetched record."""
from django.urls import reverse

from registry import presenters

# Which journey step sets each row the record page shows, by the row's id. Rows
# named after a vocabulary ("methods:rct", "link:report") go by the part before
# the colon.
ROW_STEPS = {
    "lead_department": "basics",
    "other_departments": "basics",
    "stage": "stage",
    "types": "types",
    "methods": "methods",
    "grant": "costs",
    "major_project": "costs",
    "policy_areas": "policy-areas",
    "programme": "context",
    "organisations": "organisations",
    "places": "context",
    "cost": "costs",
    "cost_note": "costs",
    "link": "links",
    "permission_to_share": "sharing",
}


def answer_sections(evaluation, tree, *, editable):
    """[(heading, [{"id", "key", "values", "empty", "change_url", "step", "markdown"}])] in the journey's order."""
    urls = presenters.Urls(browse=reverse("registry:browse"), documents=reverse("registry:documents"))
    sections = presenters.record_sections(evaluation, tree, urls)

    def change(step):
        if not editable:
            return ""
        return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": step}) + "?return=check"

    def row(id, key, values, step, empty=presenters.NOT_PROVIDED, markdown=False):
        return {"id": id, "key": key, "values": values, "empty": empty, "change_url": change(step), "step": step,
                "markdown": markdown}

    def from_presenter(rows):
        return [row(r.id, r.key, r.values, ROW_STEPS[r.id.partition(":")[0]], r.empty) for r in rows]

    about = [row("title", "Title", [evaluation.title], "basics")]
    about += from_presenter(sections["description"])
    submission = getattr(evaluation, "submission", None)
    co_editors = [u.username for u in submission.co_editors.all()] if submission else []
    about.append(row("co_editors", "Co-editors", co_editors, "basics", "None"))
    dates = [f"{d.label}: {d.when}" + (f" ({d.get_status_display().lower()})" if d.status else "")
             for d in evaluation.event_dates.all()]
    findings = [(f"{f.intervention}, " if f.intervention else "") + f"{f.outcome}: {f.statement}"
                + (f" ({f.statistics_display})" if f.statistics_display else "")
                for f in evaluation.findings.all()]
    documents = [{"text": d.title, "href": d.get_absolute_url()} for d in evaluation.documents.all()]
    sharing = from_presenter(sections["sharing"])
    return [
        ("About the evaluation", about),
        ("Summary", [row("summary", "Summary", [evaluation.summary] if evaluation.summary else [], "summary",
                         markdown=True)]),
        ("Event dates", [row("event_dates", "Event dates", dates, "dates", "No dates added")]),
        ("Context", from_presenter(sections["context"])),
        ("Costs", from_presenter(sections["costs"])),
        ("Links and documents", [r for r in sharing if r["step"] == "links"]
         + [row("documents", "Documents", documents, "uploads", "No documents added")]),
        ("Findings", [row("findings", "Findings", findings, "findings", "No findings added")]),
        ("Sharing", [r for r in sharing if r["step"] == "sharing"]),
    ]
