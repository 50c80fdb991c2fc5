"""Every row of the reference vocabularies is loaded, as the registry's own data."""

import csv
from pathlib import Path

from django.apps import apps

from registry.models import Department, DesignType, MethodSynonym, Organisation, PolicyArea
from registry.seeding.vocabularies import load_vocabularies

SHARED = Path(__file__).resolve().parent.parent / "fixtures" / "vocabularies"


def rows(name):
    with open(SHARED / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_all_187_departments_are_loaded_with_their_govuk_ids(db):
    assert Department.objects.count() == 187 == len(rows("departments.csv"))
    dwp_unit = Department.objects.get(code="dwp-central-analysis-and-science")
    assert dwp_unit.gov_id == "department-for-work-pensions"
    assert Department.objects.get(code="other").gov_id == ""


def test_design_tree_has_the_53_source_rows_plus_the_methods_the_seeds_need(db):
    source = rows("design_types.csv")
    assert DesignType.objects.filter(added_by_registry=False).count() == 53 == len(source)
    added = set(DesignType.objects.filter(added_by_registry=True).values_list("code", flat=True))
    assert added == {
        "historical_comparison",
        "inverse_probability_weighting",
        "statistical_neighbours",
        "peer_research",
    }
    assert set(DesignType.objects.types().values_list("code", flat=True)) == {"impact", "process", "economic", "other"}
    ipw = DesignType.objects.get(code="inverse_probability_weighting")
    assert ipw.parent.code == "quasi_experimental" and ipw.parent.parent.code == "impact"
    assert DesignType.objects.filter(collect_description=True).count() == 8


def test_a_parent_method_knows_its_children(db):
    codes = DesignType.objects.codes_with_descendants(["quasi_experimental"])
    assert {"quasi_experimental", "interrupted", "propensity", "inverse_probability_weighting"} <= codes
    assert "rct" not in codes and "individual_rct" not in codes
    assert "cluster" in DesignType.objects.codes_with_descendants(["impact"])


def test_all_239_policy_topics_load_in_two_levels_with_clean_labels(db):
    assert PolicyArea.objects.count() == 239
    assert PolicyArea.objects.filter(parent__isnull=True).count() == 22
    assert PolicyArea.objects.filter(parent__isnull=False).count() == 217
    universal_credit = PolicyArea.objects.get(display="Universal Credit [M]")
    assert universal_credit.label == "Universal Credit"


def test_all_govuk_organisations_load_and_link_to_govuk(db):
    assert Organisation.objects.filter(is_govuk=True).count() == 1169
    dfe = Organisation.objects.get(slug="department-for-education")
    assert dfe.govuk_url == "https://www.gov.uk/government/organisations/department-for-education"
    assert Organisation.objects.get(slug="ecorys").govuk_url == ""
    # GOV.UK's "Home Office (Home Office)" is said once; a real abbreviation stays.
    assert Organisation.objects.get(slug="home-office").name == "Home Office"
    assert not Organisation.objects.filter(name__regex=r"^(.+) \(\1\)$").exists()


def test_method_synonyms_are_data_linked_to_the_tree(db):
    ipw = MethodSynonym.objects.get(term="IPW")
    assert ipw.expansion == "inverse probability weighting"
    assert ipw.design_type.code == "inverse_probability_weighting"
    assert MethodSynonym.objects.filter(term="RCT", design_type__code="rct").exists()


def test_loading_the_vocabularies_again_changes_nothing(db):
    before = {m: m.objects.count() for m in (Department, DesignType, PolicyArea, Organisation, MethodSynonym)}
    result = load_vocabularies(apps)
    assert all(counts == (0, 0) for counts in result.values()), result
    assert before == {m: m.objects.count() for m in before}
