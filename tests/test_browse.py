"""Browsing: filters kept in the URL, a parent method including its children,
and bad query strings answered with a message, never an error."""

import csv
import io

import pytest
from django.test import override_settings

from registry import selectors
from registry.filters import design_options
from registry.models import DesignType, PolicyArea
from registry.search import get_backend
from tests.factories import EvaluationFactory, rich_evaluation


def titles(response):
    return [e.title for e in response.context["page"].items]


def test_lists_published_records_by_title(client, db):
    response = client.get("/evaluations/")
    assert titles(response) == [
        "Achieving for Children Partners in Practice (PiP) programme evaluation",
        "Lincolnshire Partners in Practice (PiP) programme evaluation",
        "Project Crewe Research Report",
    ]


def test_parent_method_includes_its_children(client, db):
    response = client.get("/evaluations/?method=quasi_experimental")
    assert len(titles(response)) == 2 and "Project Crewe Research Report" not in titles(response)
    assert titles(client.get("/evaluations/?method=impact")) == titles(client.get("/evaluations/"))
    assert titles(client.get("/evaluations/?method=inverse_probability_weighting")) == [
        "Lincolnshire Partners in Practice (PiP) programme evaluation"
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("type=economic", ["Project Crewe Research Report"]),
        ("stage=complete&department=department-for-education", 3),
        ("year=2017", ["Project Crewe Research Report"]),
        ("year=2018", []),
        ("programme=childrens-social-care-innovation-programme", 2),
        ("place=lincolnshire", ["Lincolnshire Partners in Practice (PiP) programme evaluation"]),
        ("organisation=ecorys", 2),
        ("has_findings=true", 2),
    ],
)
def test_filters(client, db, query, expected):
    found = titles(client.get(f"/evaluations/?{query}"))
    assert (len(found) if isinstance(expected, int) else found) == expected


def test_sort_by_latest_event_date_puts_undated_records_last(client, db):
    found = titles(client.get("/evaluations/?sort=year"))
    assert found[0] == "Project Crewe Research Report"


@pytest.mark.parametrize(
    "query, message",
    [
        ("department=no-such-dept", "no-such-dept is not a known department code."),
        ("method=telepathy", "telepathy is not a known method code."),
        ("year=soon", "Enter a number."),
        ("year=1800", "greater than or equal to 1900"),
        ("stage=finished", "Select a valid choice"),
        ("sort=random", "Select a valid choice"),
    ],
)
def test_bad_filters_give_a_clear_message_and_no_results(client, db, query, message):
    response = client.get(f"/evaluations/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert titles(response) == []


@pytest.mark.parametrize(
    "page, message",
    [
        ("abc", "“abc” is not a page number; showing page 1."),
        ("0", "“0” is not a page number"),
        ("99", "There is no page 99: the results have 1 page."),
        ("99999999999999999999", "There is no page"),
    ],
)
def test_bad_page_numbers_give_a_message(client, db, page, message):
    response = client.get(f"/evaluations/?page={page}")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_pagination_links_keep_the_filters(client, db):
    for n in range(25):
        EvaluationFactory(title=f"Synthetic {n:02d}")
    response = client.get("/evaluations/?department=department-for-education")
    page = response.context["page"]
    assert page.num_pages == 2 and len(page.items) == 20
    assert "department=department-for-education" in page.next_url and "page=2" in page.next_url
    assert len(titles(client.get("/evaluations/?department=department-for-education&page=2"))) == 8


# Filters shown, removable and complete (issue 15) ------------------------------------

PIP = "childrens-social-care-innovation-programme"


def tags(response):
    return {(tag.name, tag.label): tag.remove_url for tag in response.context["active_filters"]}


@pytest.mark.parametrize(
    "query, name, label",
    [
        (f"programme={PIP}", "Programme", "Children’s Social Care Innovation Programme"),
        ("place=lincolnshire", "Place", "Lincolnshire"),
        ("organisation=ecorys", "Organisation", "Ecorys"),
        ("has_findings=true", "Findings", "With structured findings"),
        ("method=quasi_experimental", "Type or method", "Quasi-experimental method"),
        ("department=department-for-education", "Department", "Department for Education (DfE)"),
        ("stage=complete", "Stage", "A complete evaluation report"),
        ("year=2017", "Year", "2017"),
    ],
)
def test_a_filter_from_a_link_shows_as_a_removable_tag(client, db, query, name, label):
    response = client.get(f"/evaluations/?{query}&sort=title")
    assert tags(response) == {(name, label): "/evaluations/?sort=title"}
    html = response.content.decode()
    assert "Selected filters" in html and f"Remove this filter: </span>{name}: {label}" in html.replace("&#x27;", "'")


def test_a_policy_area_filter_has_a_control_and_a_tag(client, db):
    area = PolicyArea.objects.filter(parent__isnull=False).order_by("code").first()
    rich_evaluation(1)
    response = client.get(f"/evaluations/?policy_area={area.code}")
    assert tags(response) == {("Policy area", area.label): "/evaluations/"}
    codes = [code for code, _ in response.context["vocabularies"]["policy_area"]]
    # The area and its parent (which includes it) are offered; areas no record uses are not.
    assert area.code in codes and area.parent.code in codes and len(codes) <= 4


def test_every_filter_the_readme_lists_has_a_control(client, db):
    html = client.get("/evaluations/").content.decode()
    for control in ["id_q", "id_department", "id_method", "id_stage", "id_year", "id_programme", "id_place",
                    "id_organisation", "id_has_findings", "id_sort"]:
        assert f'id="{control}"' in html, control
    vocabularies = client.get("/evaluations/").context["vocabularies"]
    assert vocabularies["programme"] == [(PIP, "Children’s Social Care Innovation Programme")]
    assert [code for code, _ in vocabularies["place"]] == ["kingston-upon-thames", "lincolnshire",
                                                         "richmond-upon-thames"]
    assert "ecorys" in [code for code, _ in vocabularies["organisation"]]


def test_each_tag_removes_only_itself(client, db):
    response = client.get(f"/evaluations/?programme={PIP}&place=lincolnshire&has_findings=true")
    urls = tags(response)
    assert urls[("Place", "Lincolnshire")] == f"/evaluations/?programme={PIP}&has_findings=true"
    assert titles(client.get(urls[("Place", "Lincolnshire")])) == [
        "Achieving for Children Partners in Practice (PiP) programme evaluation",
        "Lincolnshire Partners in Practice (PiP) programme evaluation",
    ]
    assert response.context["clear_url"] == "/evaluations/"


def test_the_method_list_is_in_tree_order_with_no_repeated_labels(db):
    options = design_options(selectors.design_tree())
    labels = [label for _, label, _ in options]
    assert len(labels) == len(set(labels))
    assert "Individual interviews (process evaluation)" in labels
    assert "Individual interviews (generic research method)" in labels
    codes = [code for code, _, _ in options]
    # Depth first: each type is followed by its methods, and a method by its sub-methods.
    assert codes[:3] == ["impact", "rct", "individual_rct"]
    assert codes.index("quasi_experimental") < codes.index("interrupted") < codes.index("theory")
    assert codes.index("statistical_neighbours") < codes.index("theory") < codes.index("process")
    assert not any(DesignType.objects.get(code=code).collect_description for code in codes)


def test_an_unknown_method_code_gets_a_message_and_a_tag(client, db):
    response = client.get("/evaluations/?method=no-such-method")
    html = response.content.decode()
    assert "no-such-method is not a known method code." in html
    assert tags(response) == {("Type or method", "no-such-method"): "/evaluations/"}
    assert "(not recognised)" in html


def test_zero_results_name_the_filters_with_links_to_remove_each(client, db):
    response = client.get("/evaluations/?method=rct&place=lincolnshire")
    html = response.content.decode()
    assert titles(response) == []
    assert "No evaluations match these filters." in html
    assert "Check the spelling" not in html
    assert 'href="/evaluations/?place=lincolnshire">remove' in html
    assert 'href="/evaluations/?method=rct">remove' in html


# The results as CSV --------------------------------------------------------------


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_browse_csv_has_the_api_csv_columns_and_the_pages_rows(client, db):
    page = read_csv(client.get("/evaluations/?method=quasi_experimental&format=csv"))
    api = read_csv(client.get("/api/v1/evaluations/?method=quasi_experimental&format=csv"))
    assert page[0] == api[0]
    assert sorted(page[1:]) == sorted(api[1:]) and len(page) == 3
    html = client.get("/evaluations/?method=quasi_experimental").content.decode()
    assert 'href="/evaluations/?method=quasi_experimental&amp;format=csv"' in html


def test_browse_csv_holds_every_matching_record_not_one_page(client, db):
    for n in range(25):
        EvaluationFactory(title=f"Synthetic {n:02d}")
    rows = read_csv(client.get("/evaluations/?format=csv&page=2"))
    assert len(rows) == 1 + 28


@pytest.mark.parametrize("records", [3, 30])
def test_browse_csv_runs_a_fixed_number_of_queries(client, db, django_assert_max_num_queries, records):
    for n in range(records):
        rich_evaluation(n)
    with django_assert_max_num_queries(6):
        response = client.get("/evaluations/?method=impact&format=csv")
    assert len(read_csv(response)) == 1 + records + 3


@pytest.mark.parametrize("records", [3, 30])
def test_browse_page_with_every_filter_control_runs_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries, records
):
    for n in range(records):
        rich_evaluation(n)
    with django_assert_max_num_queries(12):
        client.get(f"/evaluations/?programme={PIP}&place=place-1&organisation=ecorys&has_findings=true")


# The search page's filters ------------------------------------------------------------


@pytest.fixture
def whoosh_index(db, registry_data_dir):
    with override_settings(
        REGISTRY_DATA_DIR=registry_data_dir / "browse-tests",
        REGISTRY_SEARCH_BACKEND="registry.search.whoosh_backend.WhooshBackend",
    ):
        backend = get_backend()
        backend.rebuild()
        yield backend


def test_search_csv_has_the_api_columns_and_the_matching_evaluations(client, whoosh_index):
    rows = read_csv(client.get("/search/?q=evaluation&method=quasi_experimental&format=csv"))
    api = read_csv(client.get("/api/v1/evaluations/?format=csv"))
    assert rows[0] == api[0]
    assert sorted(row[0] for row in rows[1:]) == [
        "achieving-for-children-partners-in-practice", "lincolnshire-partners-in-practice"]
    html = client.get("/search/?q=evaluation").content.decode()
    assert 'id="results-csv"' in html and "format=csv" in html


def test_search_names_an_unknown_method_code(client, whoosh_index):
    response = client.get("/search/?q=evaluation&method=telepathy")
    html = response.content.decode()
    assert "“telepathy” is not a known method code." in html
    assert [(t.name, t.known) for t in response.context["active_filters"]] == [("Type or method", False)]


def test_search_shows_link_filters_as_tags_and_zero_results_without_spelling_advice(client, whoosh_index):
    response = client.get("/search/?q=evaluation&method=rct&place=lincolnshire")
    html = response.content.decode()
    assert response.context["results"].total == 0
    assert {(t.name, t.label) for t in response.context["active_filters"]} == {
        ("Type or method", "Randomised control trial (RCT)"), ("Place", "Lincolnshire")}
    assert "No results for “evaluation” with these filters." in html
    assert "Check the spelling" not in html
    assert 'href="/search/?q=evaluation&amp;place=lincolnshire">remove' in html
    # Words alone that find nothing still get the spelling advice.
    assert "Check the spelling" in client.get("/search/?q=zzzzqqq").content.decode()


def test_results_for_a_correction_say_so_and_offer_the_words_as_typed(client, whoosh_index):
    html = client.get("/search/?q=reofending").content.decode()
    assert "Showing results for <strong>reoffending</strong>" in html
    assert 'href="?q=reofending&amp;correct=0"' in html
    typed = client.get("/search/?q=reofending&correct=0")
    assert typed.context["results"].total == 0 and "Did you mean" in typed.content.decode()
