"""Answering the journey's questions without HTTP, as its step view does."""
from registry.services import drafts
from registry.web.submit.steps import BY_SLUG


def answer(evaluation, slug, data, *, by, next_step=None):
    """Save one step's cleaned answers with the step's own `save`."""
    return drafts.save_step(evaluation, slug, data, by=by, save=BY_SLUG[slug].save, next_step=next_step)
