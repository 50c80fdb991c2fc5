"""A record being written that looks like a published one is flagged, with a
link; drafts and unrelated records never are. On every backend."""
import pytest

from registry.search.duplicates import likely_duplicates
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(search_index):
    record = EvaluationFactory(slug="family-group-conference-trial",
                               title="Family Group Conference trial in twenty local authorities",
                               summary="A randomised trial of family group conferences before care proceedings.")
    EvaluationFactory(slug="hidden-draft", title="Mentoring for young carers in Leeds", visibility="draft",
                      summary="A draft evaluation of mentoring for young carers.")
    search_index.rebuild()
    return record


def test_same_evaluation_entered_again_is_flagged_with_a_link(published):
    found = likely_duplicates("Family group conference trial in 20 local authorities")
    assert [d.slug for d in found] == ["family-group-conference-trial"]
    assert found[0].url == "/evaluations/family-group-conference-trial/"


def test_reordered_title_with_a_close_summary_is_flagged(published):
    found = likely_duplicates("Trial of family group conferences in local authorities",
                              summary="Randomised trial of family group conferences before care proceedings")
    assert [d.slug for d in found] == ["family-group-conference-trial"]


def test_unrelated_title_and_the_record_itself_are_not(published):
    assert likely_duplicates("Family learning in prisons: a process evaluation") == []
    assert likely_duplicates(published.title, exclude=published.pk) == []


def test_drafts_are_never_offered(published):
    assert likely_duplicates("Mentoring for young carers in Leeds") == []
