"""The compare page, its CSV, the basket forms and the insights page, over HTTP."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import EvaluationFactory, rich_evaluation

pytestmark = pytest.mark.django_db

SEEDS = ["project-crewe", "lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"]


def compare_url(*slugs, extra=""):
    return "/compare/?" + "&".join(f"e={s}" for s in slugs) + extra


def test_seed_comparison_page_shows_each_record_and_its_methods(client):
    response = client.get(compare_url(*SEEDS))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Project Crewe Research Report",
        "Randomised control trial (RCT)",
        "Individual interviews",
        "Cost-benefit analysis",
        "Inverse probability weighting",
        "Comparison with statistical neighbours",
        "Reoffending rate among young people supported",
        "-11 percentage points",
        "Findings compared",
    ]:
        assert text in html
    assert 'role="img"' in html and '<title id="effects-0-title">Effect sizes in percentage points</title>' in html
    assert "govuk-error-summary" not in html


def test_unknown_repeated_and_too_many_slugs_give_messages_not_errors(client):
    extra = [rich_evaluation(i).slug for i in range(3)]
    response = client.get(compare_url("project-crewe", "project-crewe", "nope", "bad slug!", *extra))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem with this comparison" in html
    assert "“project-crewe” was listed more than once" in html
    assert "“bad slug!” is not an evaluation address" in html
    assert "You can compare up to 4 evaluations at a time" in html
    assert "No published evaluation has the address “nope”" in html
    assert html.count('class="govuk-table__header registry-compare__record"') == 3  # crewe + two of the extras


def test_only_unknown_slugs_answer_400_with_a_message(client):
    response = client.get(compare_url("no-such-record"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "No published evaluation has the address “no-such-record”" in html
    assert "None of the evaluations asked for can be shown." in html


def test_markup_in_a_slug_is_escaped(client):
    html = client.get("/compare/?e=%3Cscript%3Ealert(1)%3C/script%3E").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_no_records_explains_how_to_add_some(client):
    response = client.get("/compare/")
    assert response.status_code == 200
    assert "You have not chosen any evaluations to compare." in response.content.decode()


def test_a_draft_is_never_shown_to_a_visitor_but_is_to_a_moderator(client):
    draft = EvaluationFactory(slug="draft-record", title="Unpublished draft title", visibility="draft")
    html = client.get(compare_url("project-crewe", draft.slug)).content.decode()
    assert "Unpublished draft title" not in html
    assert "No published evaluation has the address “draft-record”" in html
    staff = get_user_model().objects.create_user("mod", password="pw", is_staff=True)
    client.force_login(staff)
    html = client.get(compare_url("project-crewe", draft.slug)).content.decode()
    assert "Unpublished draft title" in html


def test_show_only_differences_is_a_link_that_drops_identical_rows(client):
    html = client.get(compare_url(*SEEDS)).content.decode()
    assert f'href="?{"&amp;".join("e=" + s for s in SEEDS)}&amp;show=differences"' in html
    assert ">Lead department<" in html.replace("\n", "").replace("  ", "")
    html = client.get(compare_url(*SEEDS, extra="&show=differences")).content.decode()
    assert "Lead department" not in html
    assert "Impact methods" in html and "Show all rows" in html


def test_csv_download_has_the_same_rows(client):
    response = client.get(compare_url(*SEEDS[:2], extra="&format=csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Section",
        "Row",
        "Project Crewe Research Report",
        "Lincolnshire Partners in Practice (PiP) programme evaluation",
        "Records differ",
    ]
    by_key = {row[1]: row for row in rows[1:]}
    assert by_key["Impact methods"][2:] == ["Randomised control trial (RCT)", "Quasi-experimental method", "yes"]
    assert by_key["Lead department"][4] == "no"


def test_csv_cells_cannot_become_spreadsheet_formulas(client):
    EvaluationFactory(slug="formula", title='=HYPERLINK("http://evil")')
    rows = list(csv.reader(io.StringIO(client.get(compare_url("formula", extra="&format=csv")).content.decode())))
    assert rows[0][2] == '\'=HYPERLINK("http://evil")'


def test_basket_add_remove_and_clear_redirect_back(client):
    response = client.post("/compare/add/", {"slug": "project-crewe", "next": "/evaluations/project-crewe/"})
    assert response.status_code == 302 and response["Location"] == "/evaluations/project-crewe/"
    client.post("/compare/add/", {"slug": "lincolnshire-partners-in-practice", "next": "/"})
    assert client.session["compare"] == ["project-crewe", "lincolnshire-partners-in-practice"]
    html = client.get("/").content.decode()
    assert "2 of 4 evaluations chosen" in html
    assert "Added Lincolnshire Partners in Practice (PiP) programme evaluation to your comparison." in html
    assert "Added Lincolnshire" not in client.get("/").content.decode()  # a notice shows once
    html = client.get("/compare/").content.decode()
    assert "Comparing 2 evaluations from your comparison" in html
    client.post("/compare/remove/", {"slug": "project-crewe", "next": "/compare/"})
    assert client.session["compare"] == ["lincolnshire-partners-in-practice"]
    client.post("/compare/clear/", {"next": "/compare/"})
    assert client.session["compare"] == []


def test_basket_refuses_a_fifth_record_drafts_and_unknown_slugs(client):
    slugs = SEEDS + [rich_evaluation(1).slug]
    for slug in slugs:
        client.post("/compare/add/", {"slug": slug})
    client.post("/compare/add/", {"slug": rich_evaluation(2).slug})
    assert client.session["compare"] == slugs
    assert "You can compare up to 4 evaluations" in client.get("/").content.decode()
    client.post("/compare/clear/")
    EvaluationFactory(slug="hidden-draft", visibility="draft")
    for slug in ["hidden-draft", "no-such-slug", ""]:
        client.post("/compare/add/", {"slug": slug})
        assert client.session["compare"] == []
    assert "could not be added" in client.get("/").content.decode()


def test_basket_forms_need_post_and_csrf_and_only_go_back_to_this_site(client):
    assert client.get("/compare/add/?slug=project-crewe").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/compare/add/", {"slug": "project-crewe"}).status_code == 403
    for target in ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/ok\nSet-Cookie: x=1"]:
        response = client.post("/compare/add/", {"slug": "project-crewe", "next": target})
        assert response["Location"] == "/compare/"


def test_record_page_has_the_add_button_with_csrf(client):
    html = client.get("/evaluations/project-crewe/").content.decode()
    assert 'action="/compare/add/"' in html and "csrfmiddlewaretoken" in html
    client.post("/compare/add/", {"slug": "project-crewe"})
    html = client.get("/evaluations/project-crewe/").content.decode()
    assert 'action="/compare/remove/"' in html


def test_a_basket_record_unpublished_later_is_dropped_with_a_message(client):
    record = rich_evaluation(1)
    client.post("/compare/add/", {"slug": record.slug})
    client.post("/compare/add/", {"slug": "project-crewe"})
    record.visibility = "withdrawn"
    record.save()
    html = client.get("/compare/").content.decode()
    assert f"No published evaluation has the address “{record.slug}”" in html
    assert client.session["compare"] == ["project-crewe"]


def test_the_banner_costs_no_query(client):
    """Pages count the same queries with a full basket as with an empty one."""
    other = Client()
    other.post("/compare/clear/")  # a session, but an empty basket
    for slug in SEEDS:
        client.post("/compare/add/", {"slug": slug})
    client.get("/documents/")  # show the one-off notice now, so it is not saved during the count
    other.get("/documents/")
    with CaptureQueriesContext(connection) as empty:
        other.get("/documents/")
    with CaptureQueriesContext(connection) as full:
        html = client.get("/documents/").content.decode()
    assert "3 of 4 evaluations chosen" in html
    assert len(full) == len(empty)


@pytest.mark.parametrize("count", [1, 4])
def test_compare_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    slugs = [rich_evaluation(i).slug for i in range(count)]
    with django_assert_max_num_queries(11):
        response = client.get(compare_url(*slugs))
    assert response.content.decode().count("registry-compare__record") == count


def test_insights_page_shows_figures_with_links_and_tables(client):
    html = client.get("/insights/").content.decode()
    assert "Methods by department" in html
    assert 'href="/evaluations/?department=department-for-education&amp;method=quasi_experimental">2<' in html
    assert 'href="/evaluations/?stage=complete"' in html
    assert html.count('class="registry-chart"') == 2
    assert '<title id="chart-stages-title">' in html


def test_insights_csv_downloads(client):
    rows = list(csv.reader(io.StringIO(client.get("/insights/?format=csv&figure=stages").content.decode())))
    assert rows == [
        ["Stage", "Evaluations"],
        ["A planned evaluation", "0"],
        ["An ongoing evaluation", "0"],
        ["A complete evaluation report", "3"],
    ]
    rows = list(csv.reader(io.StringIO(client.get("/insights/?format=csv").content.decode())))
    assert rows[0] == ["Figure", "Row", "Column", "Evaluations"]
    assert ["Methods by department", "Randomised control trial (RCT)", "Department for Education (DfE)", "1"] in rows
    response = client.get("/insights/?format=csv&figure=nonsense")
    assert response.status_code == 400
    assert "There is no figure called “nonsense”" in response.content.decode()


@pytest.mark.parametrize("records", [2, 25])
def test_insights_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, records):
    for i in range(records):
        rich_evaluation(i)
    with django_assert_max_num_queries(6):
        response = client.get("/insights/")
    assert response.status_code == 200


def test_compare_toggle_partial_works_with_a_slug_for_result_cards(rf):
    """Result cards (browse, search) include the toggle with only a slug and a title."""
    from django.template.loader import render_to_string

    request = rf.get("/evaluations/?page=2")
    request.session = {"compare": ["project-crewe"]}
    html = render_to_string(
        "registry/partials/compare_toggle.html",
        {"slug": "lincolnshire-partners-in-practice", "title": "Lincs"},
        request=request,
    )
    assert 'action="/compare/add/"' in html and 'value="lincolnshire-partners-in-practice"' in html
    assert (
        'name="next" value="/evaluations/?page=2"' in html and 'Add<span class="govuk-visually-hidden"> Lincs' in html
    )
    html = render_to_string("registry/partials/compare_toggle.html", {"slug": "project-crewe"}, request=request)
    assert 'action="/compare/remove/"' in html


def test_a_slug_with_a_trailing_newline_is_not_an_address():
    from registry.comparison import parse_slugs

    assert parse_slugs(["project-crewe\n"])[0] == ["project-crewe"]
    assert parse_slugs(["project\ncrewe"])[0] == []
