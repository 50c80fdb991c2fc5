"""The three seed records carry the facts their sources state, and nothing else."""
import io
from decimal import Decimal

from django.core.management import call_command

from registry.models import Document, Evaluation, EventDate, Finding, Link


def test_seed_is_idempotent(db):
    def counts():
        return [m.objects.count() for m in (Evaluation, Document, Finding, EventDate, Link)]

    def history():
        return Evaluation.history.count()

    before, before_history = counts(), history()
    out = io.StringIO()
    call_command("seed", stdout=out)
    call_command("seed", stdout=out)
    assert out.getvalue().count("seed: 0 record(s) created") == 2
    assert counts() == before
    assert history() == before_history


def test_project_crewe_follows_the_registry_record_field_by_field(db):
    crewe = Evaluation.objects.get(slug="project-crewe")
    assert crewe.title == "Project Crewe Research Report"
    assert crewe.summary_machine_written
    assert crewe.lead_department.code == "department-for-education"
    assert crewe.stage == "complete"
    assert crewe.other_departments.count() == 0
    assert set(crewe.designs.values_list("design_type__code", flat=True)) == {
        "impact",
        "rct",
        "process",
        "individual_process",
        "economic",
        "benefit",
    }
    assert crewe.is_grant_funded is False and crewe.is_major_project is False
    assert crewe.policy_areas.count() == 0
    (event,) = crewe.event_dates.all()
    assert (event.category, event.month, event.year, event.status) == ("final_results", 7, 2017, "")
    # Silent in the source: not provided, never invented.
    assert crewe.cost_amount is None and crewe.cost_price_year is None
    assert crewe.programme is None and crewe.places.count() == 0
    assert crewe.findings.count() == 0
    assert crewe.permission_to_share is True
    (report_link,) = crewe.links.all()
    assert report_link.kind == "report" and report_link.url == ""
    assert crewe.documents.get().kind == "registry_record"


def test_partners_in_practice_records_take_their_facts_from_the_news_item(db):
    lincs = Evaluation.objects.get(slug="lincolnshire-partners-in-practice")
    afc = Evaluation.objects.get(slug="achieving-for-children-partners-in-practice")
    for record in (lincs, afc):
        assert record.programme.name == "Children’s Social Care Innovation Programme"
        roles = set(record.organisation_roles.values_list("organisation__slug", "role"))
        assert roles == {("ecorys", "evaluator"), ("department-for-education", "commissioner")}
        assert record.documents.get().kind == "news"
        assert record.event_dates.count() == 0 and record.cost_amount is None
        assert record.is_grant_funded is None
    assert list(lincs.places.values_list("name", flat=True)) == ["Lincolnshire"]
    assert set(afc.places.values_list("name", flat=True)) == {"Richmond upon Thames", "Kingston upon Thames"}
    assert {"historical_comparison", "inverse_probability_weighting", "interrupted", "peer_research"} <= set(
        lincs.designs.values_list("design_type__code", flat=True)
    )
    assert "statistical_neighbours" in afc.designs.values_list("design_type__code", flat=True)

    future4me = lincs.findings.get(intervention="Future4Me")
    assert future4me.effect_size == Decimal("-11") and future4me.effect_unit == "percentage points"
    assert future4me.direction == "decrease" and future4me.significance == "not_reported"
    assert future4me.source_document.kind == "news"
    early_help = lincs.findings.filter(intervention="Early Help")
    assert early_help.count() == 2 and all(f.significance == "not_significant" for f in early_help)
    assert "stabilising effect" in early_help.get(outcome__startswith="Number of referrals").statement
    assert set(afc.findings.filter(comparison="Statistical neighbours").values_list("outcome", flat=True)) == {
        "Number of children in care",
        "Number of children in need",
    }
    for record in (lincs, afc):
        assert record.findings.filter(statement__contains="Signs of Safety").exists()


def test_each_seed_text_is_stored_once_as_a_source_document(db):
    assert Document.objects.count() == 2
    news = Document.objects.get(kind="news")
    assert "Future4Me" in news.text and news.evaluations.count() == 2
    assert news.word_count == len(news.text.split()) == 300
