"""Markdown to safe HTML: Python-Markdown renders, nh3 sanitises.

Only a small set of tags and http(s)/mailto links survive, so a summary typed
into a form can never carry a script or a javascript: link onto a page.
"""

import re

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto"}
GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<a ": '<a class="govuk-link" ',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<table>": '<table class="govuk-table">',
}


def render_markdown(text):
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    for plain, styled in GOVUK_CLASSES.items():
        clean = clean.replace(plain, styled)
    return mark_safe(clean)


# Where a block ends, a line break keeps its words apart once the tags are gone.
_BLOCK_ENDS = ("</p>", "</h1>", "</h2>", "</h3>", "</h4>", "</li>", "<br>", "<br/>", "<br />", "</tr>", "</td>",
               "</th>", "</div>", "</blockquote>", "</pre>")


def html_to_text(html):
    """The words of an HTML fragment: every tag gone (scripts and styles with their
    content), entities decoded, blocks on lines of their own."""
    import html as html_module

    for tag in _BLOCK_ENDS:
        html = html.replace(tag, tag + "\n")
    text = nh3.clean(html, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    return html_module.unescape(text)


# Any character or line start that Markdown or HTML could give a meaning to.
_MARKUP = re.compile(r"[\[\]<>*_`#&|\\!~]|^\s*(?:[-+=]|\d+[.)])(?:\s|$)|^ {4}|\n\s*\n", re.MULTILINE)


def markdown_to_text(text):
    """What a reader sees of a Markdown text, as plain text: link text without its
    address, no emphasis marks or raw HTML. Search indexes and snippets use it, so
    a snippet never shows "[programme page](https://...)" or markup."""
    if not text:
        return ""
    if not _MARKUP.search(text):  # most findings: nothing to render, and no parse to pay for
        return text.strip()
    plain = html_to_text(md.markdown(text, extensions=["extra", "sane_lists"], output_format="html"))
    return "\n".join(line.strip() for line in plain.splitlines() if line.strip())
