"""A fixed number of queries per page, however much a record or a user holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Evaluation, Submission
from registry.services import drafts
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db

STEPS = [
    "basics",
    "stage",
    "types",
    "methods",
    "summary",
    "dates",
    "organisations",
    "context",
    "policy-areas",
    "costs",
    "links",
    "uploads",
    "findings",
    "sharing",
]


def owned_rich_drafts(user, count):
    drafts = []
    for i in range(count):
        evaluation = rich_evaluation(i, visibility="draft")
        Evaluation.objects.filter(pk=evaluation.pk).update(owner=user)
        Submission.objects.create(evaluation=evaluation, step_reached="dates")
        drafts.append(evaluation)
    return drafts


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_journey_pages_use_a_fixed_number_of_queries(client, contributor, django_assert_max_num_queries):
    small = owned_rich_drafts(contributor, 1)[0]
    client.force_login(contributor)
    urls = {slug: reverse("registry:submit-step", kwargs={"pk": small.pk, "step": slug}) for slug in STEPS}
    urls["check"] = reverse("registry:submit-check", kwargs={"pk": small.pk})
    before = {name: count_queries(client, url) for name, url in urls.items()}
    # Grow the record: more dates, links and findings must not mean more queries.
    for n in range(20):
        drafts.add_item(
            small, "dates", {"category": "other", "description": f"Milestone {n}", "year": 2000 + n}, by=contributor
        )
        drafts.add_item(small, "links", {"kind": "report", "url": f"https://example.org/{n}"}, by=contributor)
        drafts.add_item(small, "findings", {"outcome": f"Outcome {n}", "statement": "S"}, by=contributor)
    for name, url in urls.items():
        # +1: the title's page and Check your answers look for likely duplicates through
        # the search, whose meaning-based part asks at most every few seconds whether its
        # vectors changed, so one of the two counts may hold that query and the other not.
        with django_assert_max_num_queries(before[name] + 1):
            client.get(url)
        assert before[name] <= 25, (name, before[name])


def test_your_evaluations_and_the_review_queue_use_a_fixed_number_of_queries(
    client, contributor, moderator, django_assert_max_num_queries
):
    owned_rich_drafts(contributor, 2)
    client.force_login(contributor)
    few = count_queries(client, reverse("registry:your-evaluations"))
    owned_rich_drafts(contributor, 25)
    Evaluation.objects.filter(owner=contributor).update(visibility="submitted")
    with django_assert_max_num_queries(few):
        html = client.get(reverse("registry:your-evaluations")).content.decode()
    assert html.count("Submitted for review") == 27
    client.force_login(moderator)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("registry:review-queue")).content.decode()
    assert html.count("Evaluation number") == 27


def test_the_history_page_uses_a_fixed_number_of_queries(client, contributor, django_assert_max_num_queries):
    draft = owned_rich_drafts(contributor, 1)[0]
    client.force_login(contributor)
    url = reverse("registry:evaluation-history", kwargs={"slug": draft.slug})
    # One change by a person first: who made each change is looked up once, however many rows.
    drafts.add_item(draft, "dates", {"category": "other", "description": "Kick-off", "year": 1999}, by=contributor)
    few = count_queries(client, url)
    for n in range(15):
        drafts.add_item(
            draft, "dates", {"category": "other", "description": f"Milestone {n}", "year": 2000 + n}, by=contributor
        )
    with django_assert_max_num_queries(few):
        client.get(url)
