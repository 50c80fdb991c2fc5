"""Answering the journey's questions without HTTP, as its step view does."""
from registry.services import drafts
from registry.web.submit.steps import BY_SLUG


def answer(evaluation, slug, data, *, by, next_step=None):
    """Save one step's cleaned answers with the step's own `save`."""
    return drafts.save_step(evaluation, slug, data, by=by, save=BY_SLUG[slug].save, next_step=next_step)


def field_error(response, field_id):
    """The message shown beside a field of a journey page (and linked from the error summary)."""
    import html as html_module
    import re

    html = response.content.decode()
    assert f'href="#{field_id}"' in html, "the error summary links to the field"
    name = field_id.rsplit("_", 1)[0] if field_id.endswith("_0") else field_id
    match = re.search(rf'id="{re.escape(name)}-error"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no error message beside {field_id}"
    return html_module.unescape(re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip())
