"""Pages run a fixed number of SQL queries, whatever the number of records and relations."""

import pytest

from registry.models import Department, Document
from tests.factories import EventDateFactory, FindingFactory, rich_evaluation


@pytest.fixture
def fifty_rich_records(db):
    records = [rich_evaluation(i) for i in range(50)]
    for i, record in enumerate(records[:10]):
        doc = Document.objects.create(title=f"Report {i}", content_hash=f"{i:064d}", text="word " * 50)
        doc.evaluations.add(record)
    return records


def count_queries(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/evaluations/",
        "/evaluations/?page=2",
        "/evaluations/?method=rct&sort=year",
        "/documents/",
    ],
)
def test_list_pages_query_count_does_not_grow_with_records(
    client, fifty_rich_records, django_assert_max_num_queries, url
):
    count_queries(client, url, django_assert_max_num_queries, 12)


def test_record_page_query_count_is_fixed(client, fifty_rich_records, django_assert_max_num_queries):
    first, second = fifty_rich_records[0], fifty_rich_records[1]
    before = count_queries(client, f"/evaluations/{second.slug}/", django_assert_max_num_queries, 20)
    # Ten times the findings, dates and departments cost no more queries.
    for n in range(30):
        FindingFactory(evaluation=second, effect_size=n, effect_unit="points")
        EventDateFactory(evaluation=second, year=2000 + n)
    second.other_departments.add(*Department.objects.all()[:30])
    after = count_queries(client, f"/evaluations/{second.slug}/", django_assert_max_num_queries, 20)
    assert before == after == count_queries(client, f"/evaluations/{first.slug}/", django_assert_max_num_queries, 20)


def test_browse_query_count_is_the_same_for_one_and_twenty_rows(
    client, fifty_rich_records, django_assert_max_num_queries
):
    # The same filters, matching one record and then a full page of them.
    one = count_queries(
        client,
        "/evaluations/?method=rct&place=place-1&year=2019&department=department-for-education",
        django_assert_max_num_queries,
        12,
    )
    many = count_queries(
        client,
        "/evaluations/?method=impact&place=place-1&year=2019&department=" + fifty_rich_records[1].lead_department.code,
        django_assert_max_num_queries,
        12,
    )
    assert one == many
