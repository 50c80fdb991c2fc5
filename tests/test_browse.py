"""Browsing: filters kept in the URL, a parent method including its children,
and bad query strings answered with a message, never an error."""

import pytest

from tests.factories import EvaluationFactory


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
