"""Record pages show every seeded fact, in the public registry's sections and wording."""

import re

import pytest
from django.utils import timezone

from registry.models import Evaluation


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_project_crewe_page_shows_every_fact_of_the_registry_record(client, db):
    html = page_text(client, "/evaluations/project-crewe/")
    for fact in [
        "Project Crewe Research Report",
        "Solution Focused Brief Therapy (SFA)",
        "This summary was written by an AI model",
        "Department for Education (DfE)",
        "A complete evaluation report",
        "No other departments listed",
        "Value for money evaluation",
        "Impact evaluation",
        "Process evaluation",
        "Impact methods",
        "Randomised control trial (RCT)",
        "RCT methods",
        "No methods listed",
        "Process methods",
        "Individual interviews",
        "Value for money methods",
        "Cost-benefit analysis",
        "This intervention is not distributing funding via a grant",
        "This intervention is not a major project",
        "No policies provided",
        "Publication of final results",
        "July 2017",
        "Link(s) to published report(s)",
        "Yes (address not provided)",
        "Links to evaluation plans",
        "No link provided",
        "Permission to share confirmed",
    ]:
        assert fact in html, fact
    # Sections in the registry's order.
    headings = ["Description", "Event dates", "Evaluation costs", "Evaluation sharing", "Findings", "Documents"]
    order = [html.index(f'">{h}</h2>') for h in headings]
    assert order == sorted(order)


def test_pip_page_shows_programme_places_organisations_methods_and_findings(client, db):
    html = page_text(client, "/evaluations/lincolnshire-partners-in-practice/")
    for fact in [
        "Children’s Social Care Innovation Programme",
        "Lincolnshire",
        "Ecorys (evaluator)",
        "Quasi-experimental methods",
        "Inverse probability weighting",
        "Interrupted time series analysis",
        "Counterfactual impact evaluation with a historical comparison group",
        "Qualitative research by trained young (peer) researchers",
        "Reoffending rate among young people supported",
        "-11 percentage points",
        "Future4Me",
        "Not statistically significant",
        "Signs of Safety",
        "Two Children’s Social Care Innovation Programme evaluations published",
    ]:
        assert fact in html, fact
    # Silent in the source.
    assert "This intervention is not distributing funding via a grant" not in html


def test_unknown_slug_is_a_404_page(client, db):
    response = client.get("/evaluations/no-such-evaluation/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_drafts_are_not_shown_to_visitors(client, db):
    Evaluation.objects.filter(slug="project-crewe").update(visibility="draft")
    assert client.get("/evaluations/project-crewe/").status_code == 404
    assert "Project Crewe" not in client.get("/evaluations/").content.decode()
    assert "Project Crewe Research Report: record" not in client.get("/documents/").content.decode()


def test_withdrawn_record_keeps_its_url_and_answers_410_with_when_and_why(client, db):
    Evaluation.objects.filter(slug="project-crewe").update(
        visibility="withdrawn",
        withdrawn_at=timezone.datetime(2026, 3, 2, tzinfo=timezone.get_current_timezone()),
        withdrawn_reason="Duplicate of another record.",
    )
    response = client.get("/evaluations/project-crewe/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "Withdrawn on 2 March 2026" in html and "Duplicate of another record." in html


def test_summary_markdown_is_sanitised(client, db):
    Evaluation.objects.filter(slug="project-crewe").update(
        summary="**Bold** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    )
    html = page_text(client, "/evaluations/project-crewe/")
    # The JSON-LD copy of the summary is data, with markup escaped for its script element.
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in jsonld and "\\u003Cscript\\u003E" in jsonld
    page = html.replace(jsonld, "")
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and "onerror" not in page
    assert 'href="javascript:' not in page and "<img" not in page


def test_title_is_escaped(client, db):
    Evaluation.objects.filter(slug="project-crewe").update(title="<b>Crewe</b>")
    html = page_text(client, "/evaluations/project-crewe/")
    assert "&lt;b&gt;Crewe&lt;/b&gt;" in html and "<b>Crewe</b>" not in html


@pytest.mark.parametrize("url", ["/", "/evaluations/", "/documents/"])
def test_home_browse_and_documents_pages_answer(client, db, url):
    assert client.get(url).status_code == 200


def test_home_counts_what_the_registry_holds(client, db):
    html = page_text(client, "/")
    assert "<strong>3</strong> published evaluations" in html
    assert 'href="/evaluations/?stage=complete">A complete evaluation report</a>: 3' in html
    assert 'href="/evaluations/?type=impact">Impact evaluation</a>: 3' in html


@pytest.mark.parametrize(("amount", "shown"), [("12500.50", "£12,500.50 (2022 prices)"),
                                                ("125000", "£125,000 (2022 prices)"),
                                                ("125000.00", "£125,000 (2022 prices)")])
def test_a_cost_shows_its_pence_only_when_it_has_them(client, db, amount, shown):
    from decimal import Decimal

    Evaluation.objects.filter(slug="project-crewe").update(cost_amount=Decimal(amount), cost_price_year=2022)
    assert shown in page_text(client, "/evaluations/project-crewe/")
