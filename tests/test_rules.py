"""registry.rules on their own: plain values in, {field: message} out."""
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from registry import rules


def test_the_lead_department_may_not_also_be_an_other_department():
    assert rules.lead_not_also_other("dfe", ["moj", "dfe"]) == {
        "other_departments": "Do not list the lead department as an other department"
    }
    assert rules.lead_not_also_other("dfe", ["moj"]) == {}
    assert rules.lead_not_also_other(None, ["moj"]) == {}


def test_an_other_event_needs_a_description():
    assert rules.other_event_described("other", "  ") == {
        "description": "Describe the event when its category is Other"
    }
    assert rules.other_event_described("other", "Pilot ends") == {}
    assert rules.other_event_described("evaluation_start", "") == {}


@pytest.mark.parametrize(
    "end, start, refused",
    [
        ((2021, None), (2021, 6), False),  # "2021" is not before "June 2021": the year alone is compared
        ((2021, 3), (2021, 6), True),
        ((2020, None), (2021, 6), True),
        ((2021, 6), (2021, 6), False),
        ((2022, 1), (2021, None), False),
    ],
)
def test_an_end_date_is_not_before_its_start_a_missing_month_comparing_on_the_year(end, start, refused):
    starts = [SimpleNamespace(category="evaluation_start", year=start[0], month=start[1])]
    problems = rules.date_in_order("evaluation_end", end[0], end[1], starts)
    assert bool(problems) is refused
    if refused:
        when = f"June {start[0]}" if start[1] else str(start[0])
        assert problems == {"year": f"The evaluation end date must not be before the evaluation start date ({when})"}


def test_a_start_added_after_its_end_is_named_as_after():
    ends = [{"category": "intervention_end", "year": 2021, "month": None}]
    assert rules.date_in_order("intervention_start", 2022, None, ends) == {
        "year": "The intervention start date must not be after the intervention end date (2021)"
    }


def test_a_list_of_dates_is_checked_as_if_added_in_order():
    rows = [
        {"category": "evaluation_start", "year": 2021, "month": 6},
        {"category": "evaluation_end", "year": 2021, "month": None},
        {"category": "evaluation_end", "year": 2020, "month": 12},
    ]
    assert rules.dates_in_order(rows) == {
        2: {"year": "The evaluation end date must not be before the evaluation start date (June 2021)"}
    }


def test_a_grant_or_major_project_number_needs_a_yes():
    message = "Leave the number blank unless you answered yes"
    assert rules.number_only_when_yes({"is_grant_funded": False, "grant_number": "G-1"}) == {"grant_number": message}
    assert rules.number_only_when_yes({"is_major_project": None, "major_project_number": "M"}) == {
        "major_project_number": message
    }
    assert rules.number_only_when_yes({"is_grant_funded": True, "grant_number": "G-1"}) == {}


def test_a_unit_needs_an_effect_size():
    assert rules.unit_needs_effect_size(None, "percentage points") == {
        "effect_size": "Enter the effect size, or leave the unit blank"
    }
    assert rules.unit_needs_effect_size(Decimal("0"), "percentage points") == {}
    assert rules.unit_needs_effect_size(None, "") == {}


def test_a_confidence_interval_is_in_order():
    assert rules.interval_in_order(Decimal("2"), Decimal("1")) == {
        "ci_upper": "The upper end of the confidence interval must not be below the lower end"
    }
    assert rules.interval_in_order(Decimal("1"), Decimal("1")) == {}
    assert rules.interval_in_order(None, Decimal("1")) == {}


def test_an_organisation_is_listed_once_in_each_role():
    assert rules.organisation_role_once(7, "evaluator", [(7, "evaluator")]) == {
        "organisation": "This organisation is already listed with this role"
    }
    assert rules.organisation_role_once(7, "funder", [(7, "evaluator")]) == {}


def test_an_other_method_is_described():
    assert rules.other_method_described(True, " ") == {"description": "Describe the other method you used"}
    assert rules.other_method_described(True, "Bespoke matching") == {}
    assert rules.other_method_described(False, "") == {}


def test_enforce_raises_the_messages_by_field():
    with pytest.raises(ValidationError) as raised:
        rules.enforce({"effect_size": "Enter the effect size, or leave the unit blank"})
    assert raised.value.message_dict == {"effect_size": ["Enter the effect size, or leave the unit blank"]}
    rules.enforce({})


@pytest.mark.django_db
def test_models_clean_calls_the_rules_that_need_no_other_rows():
    from registry.models import Evaluation, EventDate, Finding

    record = Evaluation(title="T", slug="t", is_grant_funded=False, grant_number="G-1")
    with pytest.raises(ValidationError) as raised:
        record.clean()
    assert raised.value.message_dict == {"grant_number": ["Leave the number blank unless you answered yes"]}
    with pytest.raises(ValidationError):
        Finding(outcome="o", statement="s", effect_unit="points").clean()
    with pytest.raises(ValidationError):
        Finding(outcome="o", statement="s", ci_lower=Decimal("2"), ci_upper=Decimal("1")).clean()
    with pytest.raises(ValidationError):
        EventDate(category="other", year=2020).clean()
