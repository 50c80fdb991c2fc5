"""Snippets are plain text with the matched words marked: the Markdown and markup
typed into a record never show as raw syntax."""
import pytest

from registry.markdown import markdown_to_text
from registry.search import SearchQuery
from tests.factories import EvaluationFactory, FindingFactory

pytestmark = pytest.mark.django_db


def test_snippet_shows_what_a_reader_sees(search_index):
    record = EvaluationFactory(
        slug="snippet-markup", title="Snippet markup record",
        summary="See the [programme page](https://example.org/page) and <script>alert(1)</script> **zanzibarite** "
                "results.\n\n- first point\n- second point")
    FindingFactory(evaluation=record, statement="The _zanzibarite_ effect was `small`.")
    search_index.rebuild()
    hit = search_index.search(SearchQuery(text="zanzibarite")).hits[0]
    assert hit.slug == "snippet-markup"
    assert "<mark>zanzibarite</mark>" in hit.snippet
    assert "programme page" in hit.snippet
    for raw in ("https://", "](", "**", "script", "alert", "`", "_zanz"):
        assert raw not in hit.snippet, raw


@pytest.mark.parametrize("text, plain", [
    ("Plain words, no markup at all.", "Plain words, no markup at all."),
    ("A [link](https://example.org) here", "A link here"),
    ("Fish &amp; chips &lt;b&gt;", "Fish & chips <b>"),
    ("Line one\n\nLine two", "Line one\nLine two"),
    ("1. first\n2. second", "first\nsecond"),
    ("", ""),
])
def test_markdown_to_text(text, plain):
    assert markdown_to_text(text) == plain
