"""The journey and the API are two doors to one write path: the same answers
give the same record, and answers a rule refuses get the same message from both.

Every rule in registry.rules has a case here (a test below fails when a rule
is added without one). Where the two doors used to disagree the journey's rule
won: an end date given as a year alone ("2021") after a start of "June 2021" is
accepted by both.
"""
import inspect
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry import rules
from registry.models import Evaluation, Place, PolicyArea, Programme
from registry.services import drafts
from tests.api.conftest import token_client
from tests.submit.conftest import DFE, OTHER_DEPARTMENT
from tests.submit.helpers import field_error

pytestmark = pytest.mark.django_db
API = "/api/v1/evaluations/"

FINDING = {"outcome": "Attainment", "direction": "increase", "significance": "significant", "statement": "It rose."}
START_JUNE_2021 = {"category": "evaluation_start", "year": 2021, "month": 6}

# rule -> (journey posts: the last is refused, the field whose message it shows,
#          API body, where the API's message is in its errors)
CASES = {
    "lead_not_also_other": (
        [("basics", {"title": "Tutoring", "lead_department": DFE, "other_departments": [DFE]})],
        "id_other_departments_0",
        {"lead_department": DFE, "other_departments": [DFE]},
        ["other_departments"],
    ),
    "other_event_described": (
        [("dates", {"action": "add", "category": "other", "year": "2020"})],
        "id_description",
        {"event_dates": [{"category": "other", "year": 2020}]},
        ["event_dates", "0", "description"],
    ),
    "date_in_order": (
        [
            ("dates", {"action": "add", **START_JUNE_2021}),
            ("dates", {"action": "add", "category": "evaluation_end", "year": "2020"}),
        ],
        "id_year",
        {"event_dates": [START_JUNE_2021, {"category": "evaluation_end", "year": 2020}]},
        ["event_dates", "1", "year"],
    ),
    "number_only_when_yes": (
        [("costs", {"is_grant_funded": "no", "grant_number": "G-1"})],
        "id_grant_number",
        {"is_grant_funded": False, "grant_number": "G-1"},
        ["grant_number"],
    ),
    "unit_needs_effect_size": (
        [("findings", {"action": "add", **FINDING, "effect_unit": "percentage points"})],
        "id_effect_size",
        {"findings": [{**FINDING, "effect_unit": "percentage points"}]},
        ["findings", "0", "effect_size"],
    ),
    "organisation_role_once": (
        [
            ("organisations", {"action": "add", "organisation": "ecorys", "role": "evaluator"}),
            ("organisations", {"action": "add", "organisation": "ecorys", "role": "evaluator"}),
        ],
        "id_organisation",
        {"organisations": [{"organisation": "ecorys", "role": "evaluator"}] * 2},
        ["organisations", "1", "organisation"],
    ),
    "other_method_described": (
        [("types", {"types": ["impact"]}), ("methods", {"methods_impact": ["other_impact"]})],
        "id_describe_other_impact",
        {"methods": ["impact", "other_impact"]},
        ["methods", "1", "description"],
    ),
}
# The journey does not ask for a confidence interval: there the rule is held by
# the service the journey calls (tested below), as by the API and the model.
SERVICE_ONLY = {"interval_in_order"}
# Not rules on answers: helpers that apply the rules above.
HELPERS = {"dates_in_order", "finding_problems", "enforce", "missing_answers"}


def step_url(evaluation, slug):
    return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": slug})


def new_draft(client):
    response = client.post(reverse("registry:submit-start"), {"title": "Tutoring", "lead_department": DFE})
    assert response.status_code == 302
    return Evaluation.objects.filter(title="Tutoring").latest("pk")


def api_message(errors, path):
    for key in path:
        errors = errors[key]
    assert isinstance(errors, list), errors
    return errors[0]


def test_every_rule_has_a_case_through_both_doors():
    names = {name for name, value in inspect.getmembers(rules, inspect.isfunction)
             if value.__module__ == rules.__name__ and not name.startswith("_")}
    assert names - HELPERS == set(CASES) | SERVICE_ONLY


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_rule_refuses_the_same_answers_with_the_same_message_through_both_doors(
    rule, client, contributor
):
    posts, field_id, body, path = CASES[rule]
    client.force_login(contributor)
    draft = new_draft(client)
    for slug, data in posts[:-1]:
        assert client.post(step_url(draft, slug), data).status_code == 302
    slug, data = posts[-1]
    response = client.post(step_url(draft, slug), data)
    assert response.status_code == 200
    journey_message = field_error(response, field_id)

    api = token_client(contributor)
    response = api.post(API, {"title": "Tutoring through the API", **body}, format="json")
    assert response.status_code == 400, response.json()
    assert api_message(response.json()["errors"], path) == journey_message
    assert journey_message in _messages(rule)
    assert not Evaluation.objects.filter(title="Tutoring through the API").exists()


def _messages(rule):
    """The message the rule itself gives for a failing example: both doors show the rule's words."""
    examples = {
        "lead_not_also_other": lambda: rules.lead_not_also_other(1, [1]),
        "other_event_described": lambda: rules.other_event_described("other", ""),
        "date_in_order": lambda: rules.date_in_order(
            "evaluation_end", 2020, None, [{"category": "evaluation_start", "year": 2021, "month": 6}]),
        "number_only_when_yes": lambda: rules.number_only_when_yes({"grant_number": "G-1"}),
        "unit_needs_effect_size": lambda: rules.unit_needs_effect_size(None, "points"),
        "organisation_role_once": lambda: rules.organisation_role_once(1, "evaluator", [(1, "evaluator")]),
        "other_method_described": lambda: rules.other_method_described(True, ""),
    }
    return set(examples[rule]().values())


def test_a_confidence_interval_out_of_order_is_refused_by_the_journeys_service_and_the_api(contributor):
    draft = drafts.create_draft(by=contributor, title="Tutoring")
    finding = {**FINDING, "ci_lower": Decimal("2"), "ci_upper": Decimal("1")}
    with pytest.raises(ValidationError) as raised:
        drafts.add_item(draft, "findings", finding, by=contributor)
    response = token_client(contributor).post(
        API, {"title": "T", "findings": [{**FINDING, "ci_lower": "2", "ci_upper": "1"}]}, format="json"
    )
    assert raised.value.message_dict["ci_upper"] == response.json()["errors"]["findings"]["0"]["ci_upper"]


def test_a_year_alone_after_a_start_in_june_of_that_year_is_accepted_by_both(client, contributor):
    client.force_login(contributor)
    draft = new_draft(client)
    for data in ({"action": "add", **START_JUNE_2021}, {"action": "add", "category": "evaluation_end", "year": "2021"}):
        assert client.post(step_url(draft, "dates"), data).status_code == 302
    response = token_client(contributor).post(
        API, {"title": "T", "event_dates": [START_JUNE_2021, {"category": "evaluation_end", "year": 2021}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert draft.event_dates.count() == 2


def test_the_same_answers_give_the_same_record_through_both_doors(client, contributor):
    programme = Programme.objects.create(name="Tutoring Test Programme", slug="tutoring-test-programme")
    place = Place.objects.create(name="Testshire", slug="testshire")
    area = PolicyArea.objects.order_by("code").first()
    client.force_login(contributor)
    response = client.post(reverse("registry:submit-start"),
                           {"title": "Tutoring", "lead_department": DFE, "other_departments": [OTHER_DEPARTMENT]})
    assert response.status_code == 302
    journey_record = Evaluation.objects.get(title="Tutoring")
    posts = [
        ("stage", {"stage": "complete"}),
        ("types", {"types": ["impact", "process"]}),
        ("methods", {"methods_impact": ["rct", "other_impact"], "describe_other_impact": "Bespoke matching"}),
        ("summary", {"summary": "Tutoring *helped*."}),
        ("dates", {"action": "add", **START_JUNE_2021, "status": "actual"}),
        ("dates", {"action": "add", "category": "evaluation_end", "year": "2021", "status": "intended"}),
        ("organisations", {"action": "add", "organisation": "ecorys", "role": "evaluator"}),
        ("context", {"programme": programme.name, "places": place.name}),
        ("policy-areas", {"policy_areas": [area.code]}),
        ("costs", {"is_grant_funded": "yes", "grant_number": "G-1", "is_major_project": "no",
                   "cost_amount": "125000", "cost_price_year": "2022"}),
        ("links", {"action": "add", "kind": "report", "url": "https://example.org/report", "title": "Report"}),
        ("findings", {"action": "add", **FINDING, "effect_size": "0.1", "effect_unit": "standard deviations"}),
        ("sharing", {"permission_to_share": "yes"}),
    ]
    for slug, data in posts:
        response = client.post(step_url(journey_record, slug), data)
        assert response.status_code == 302, (slug, response.content.decode()[-1500:])

    body = {
        "title": "Tutoring",
        "lead_department": DFE,
        "other_departments": [OTHER_DEPARTMENT],
        "stage": "complete",
        "methods": ["impact", "process", "rct", {"code": "other_impact", "description": "Bespoke matching"}],
        "summary": "Tutoring *helped*.",
        "event_dates": [{**START_JUNE_2021, "status": "actual"},
                        {"category": "evaluation_end", "year": 2021, "status": "intended"}],
        "organisations": [{"organisation": "ecorys", "role": "evaluator"}],
        "programme": programme.slug,
        "places": [place.slug],
        "policy_areas": [area.code],
        "is_grant_funded": True,
        "grant_number": "G-1",
        "is_major_project": False,
        "cost_amount": 125000,
        "cost_price_year": 2022,
        "links": [{"kind": "report", "url": "https://example.org/report", "title": "Report"}],
        "findings": [{**FINDING, "effect_size": "0.1", "effect_unit": "standard deviations"}],
        "permission_to_share": True,
    }
    response = token_client(contributor).post(API, body, format="json")
    assert response.status_code == 201, response.json()
    api_record = Evaluation.objects.get(slug=response.json()["slug"])
    expected = snapshot(journey_record)
    assert len(expected["designs"]) == 4 and len(expected["dates"]) == 2 and expected["permission_to_share"]
    assert snapshot(api_record) == expected


def snapshot(evaluation):
    """What a record says (not its address, times or journey position)."""
    e = Evaluation.objects.get(pk=evaluation.pk)
    fields = ("title", "summary", "stage", "visibility", "version", "owner_id", "lead_department_id", "programme_id",
              "is_grant_funded", "grant_number", "is_major_project", "major_project_number", "cost_amount",
              "cost_price_year", "cost_note", "permission_to_share")
    return {
        **{name: getattr(e, name) for name in fields},
        "other_departments": sorted(e.other_departments.values_list("code", flat=True)),
        "places": sorted(e.places.values_list("slug", flat=True)),
        "policy_areas": sorted(e.policy_areas.values_list("code", flat=True)),
        "designs": sorted(e.designs.values_list("design_type__code", "description")),
        "dates": sorted(e.event_dates.values_list("category", "description", "month", "year", "status")),
        "organisations": sorted(e.organisation_roles.values_list("organisation__slug", "role")),
        "links": list(e.links.values_list("kind", "url", "title", "note")),
        "findings": list(e.findings.values_list(
            "position", "outcome", "comparison", "direction", "effect_size", "effect_unit", "ci_lower", "ci_upper",
            "significance", "statement")),
    }


def test_a_sub_method_brings_its_method_and_type_through_both_doors(client, contributor):
    client.force_login(contributor)
    draft = new_draft(client)
    assert client.post(step_url(draft, "types"), {"types": ["impact"]}).status_code == 302
    assert client.post(step_url(draft, "methods"), {"methods_impact": ["cluster"]}).status_code == 302
    response = token_client(contributor).post(API, {"title": "T", "methods": ["cluster"]}, format="json")
    assert response.status_code == 201, response.json()
    api_record = Evaluation.objects.get(slug=response.json()["slug"])
    assert snapshot(api_record)["designs"] == snapshot(draft)["designs"] == [
        ("cluster", ""), ("impact", ""), ("rct", "")
    ]
