"""The comparison and insight figures, over the seed records and factory records."""

import pytest

from registry import comparison, insights, presenters, selectors
from registry.models import Evaluation
from tests.factories import EvaluationFactory, FindingFactory, rich_evaluation

pytestmark = pytest.mark.django_db

URLS = presenters.Urls(browse="/evaluations/", documents="/documents/")
SEEDS = ["project-crewe", "lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"]


def rows_by_key(sections):
    return {row.key: row for section in sections for row in section.rows}


def rows_by_id(sections):
    return {row.id: row for section in sections for row in section.rows}


def test_parse_slugs_reports_repeats_bad_addresses_and_more_than_four():
    slugs, problems = comparison.parse_slugs(["a", "b,c", "a", "<script>", "d", "e", " ", ""])
    assert slugs == ["a", "b", "c", "d"]
    assert any("“<script>” is not an evaluation address" in p for p in problems)
    assert any("“a” was listed more than once" in p for p in problems)
    assert any("up to 4" in p and "“e”" in p for p in problems)


def test_unknown_and_draft_slugs_get_the_same_message_and_are_not_returned():
    EvaluationFactory(slug="secret-draft", title="Secret draft", visibility="draft")
    result = comparison.compared_evaluations(["project-crewe", "secret-draft", "no-such-record"], None)
    assert result.slugs == ["project-crewe"]
    assert result.problems == [
        "No published evaluation has the address “secret-draft”. It may have been withdrawn or mistyped.",
        "No published evaluation has the address “no-such-record”. It may have been withdrawn or mistyped.",
    ]


def test_seed_comparison_aligns_methods_by_section():
    result = comparison.compared_evaluations(SEEDS, None)
    rows = rows_by_key(comparison.compare_sections(result.evaluations, selectors.design_tree(), URLS))
    assert [v for v in rows["Impact methods"].cells[0]] == ["Randomised control trial (RCT)"]
    assert rows["Impact methods"].cells[1] == ["Quasi-experimental method"]
    assert rows["Process methods"].cells[0] == ["Individual interviews"]
    assert rows["Value for money methods"].cells[0] == ["Cost-benefit analysis"]
    assert rows["Value for money methods"].cells[1] == []  # aligned: Lincolnshire has none
    assert "Inverse probability weighting" in rows["Quasi-experimental methods"].cells[1]
    assert rows["Quasi-experimental methods"].cells[2] == ["Comparison with statistical neighbours"]
    assert rows["Impact methods"].differs
    assert not rows["Lead department"].differs
    assert rows["Publication of final results"].cells == [["July 2017"], [], []]
    assert rows["Evaluator"].texts == ["No evaluator listed", "Ecorys", "Ecorys"]
    # Section order follows the brief: stage and departments first, methods before dates.
    keys = list(rows)
    assert keys.index("Evaluation stage") < keys.index("Impact methods") < keys.index("Publication of final results")


def test_rows_are_aligned_by_id_whatever_their_wording():
    result = comparison.compared_evaluations(SEEDS, None)
    sections = comparison.compare_sections(result.evaluations, selectors.design_tree(), URLS)
    by_id, by_key = rows_by_id(sections), rows_by_key(sections)
    assert by_id["methods:impact"] is by_key["Impact methods"]
    assert by_id["methods:quasi_experimental"] is by_key["Quasi-experimental methods"]
    assert by_id["lead_department"] is by_key["Lead department"]
    assert by_id["event:final_results"] is by_key["Publication of final results"]
    assert by_id["link:report"].key == "Link(s) to published report(s)"
    # A row's id names it in every section; no two rows share one.
    assert len(by_id) == sum(len(section.rows) for section in sections)


def test_values_link_to_the_pages_the_caller_names():
    result = comparison.compared_evaluations(SEEDS[:1], None)
    urls = presenters.Urls(browse="/elsewhere/", documents="/papers/")
    rows = rows_by_id(comparison.compare_sections(result.evaluations, selectors.design_tree(), urls))
    assert rows["lead_department"].cells[0][0]["href"].startswith("/elsewhere/?department=")


def test_only_differences_drops_identical_rows_and_empty_sections():
    result = comparison.compared_evaluations(SEEDS[1:], None)
    sections = comparison.compare_sections(result.evaluations, selectors.design_tree(), URLS)
    shown = rows_by_key(comparison.visible_sections(sections, only_differences=True))
    assert "Lead department" not in shown and "Programme" not in shown
    assert "Places" in shown and "Quasi-experimental methods" in shown
    assert all(row.differs for row in shown.values())


def test_findings_are_grouped_by_outcome_with_shared_outcomes_first():
    result = comparison.compared_evaluations(SEEDS, None)
    groups = comparison.findings_by_outcome(result.evaluations)
    assert groups[0].outcome == "Staff views of the practice model"
    assert groups[0].evaluation_count == 2
    assert sum(len(g.entries) for g in groups) == 8
    series = comparison.effect_series(groups)
    assert [(s["unit"], [p["value"] for p in s["points"]]) for s in series] == [("percentage points", [-11.0])]


def test_outcomes_match_ignoring_case_and_punctuation_and_units_do_not_mix():
    first, second = EvaluationFactory(), EvaluationFactory()
    FindingFactory(
        evaluation=first, outcome="School attendance", effect_size=2, effect_unit="points", significance="significant"
    )
    FindingFactory(
        evaluation=second, outcome="school attendance.", effect_size="0.3", effect_unit="standard deviations"
    )
    result = comparison.compared_evaluations([first.slug, second.slug], None)
    groups = comparison.findings_by_outcome(result.evaluations)
    assert len(groups) == 1 and groups[0].evaluation_count == 2
    series = {s["unit"]: s["points"] for s in comparison.effect_series(groups)}
    assert series["points"][0]["significant"] is True
    assert series["standard deviations"][0]["value"] == 0.3


def test_insights_count_published_records_as_the_browse_filters_do(client):
    rich_evaluation(1)
    rich_evaluation(2, visibility="draft")
    data = insights.registry_insights("/evaluations/")
    assert data["total"] == Evaluation.objects.published().count() == 4
    stages = {s["code"]: s["count"] for s in data["stages"]}
    assert stages == {"planned": 0, "ongoing": 1, "complete": 3}
    rows = {row["code"]: row for row in data["matrix"]["rows"]}
    assert rows["impact"]["total"] == 4  # every published record has an impact design
    assert rows["quasi_experimental"]["total"] == 2
    assert "theory" not in rows  # no published record uses it
    # Every matrix count agrees with the browse page it links to.
    for row in data["matrix"]["rows"]:
        for department, cell in zip(data["matrix"]["departments"], row["cells"], strict=True):
            if cell["count"]:
                page = client.get(cell["href"])
                assert f"of {cell['count']} evaluation" in page.content.decode(), (row["code"], department["code"])
    years = data["by_year"]
    assert years["years"] == [2017, 2018, 2019, 2020, 2021]
    impact = next(s for s in years["series"] if s["code"] == "impact")
    assert impact["counts"] == [1, 0, 1, 1, 1]
    assert years["totals"][1] == 0


def test_insight_tables_match_the_figures():
    tables = insights.insight_tables(insights.registry_insights("/evaluations/"))
    assert tables["stages"][0] == ["Stage", "Evaluations"]
    assert ["A complete evaluation report", 3] in tables["stages"]
    assert tables["methods-by-department"][1][:3] == ["Impact evaluation", "impact", 3]
