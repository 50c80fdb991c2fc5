"""Template helpers for the comparison page's cells."""

from django import template

from registry.presenters import short_name

register = template.Library()


@register.filter
def with_records(cells, evaluations):
    """A comparison row's cells beside the records they belong to."""
    return list(zip(cells, evaluations, strict=False))


@register.simple_tag
def concerns_record(key, evaluation):
    """Whether a "<type> methods" row of the comparison is about this record: the
    record lists the type (or method) whose methods the row names. A row such as
    "Quasi-experimental methods" is "not applicable" to an RCT-only record, not
    "No Quasi-experimental methods listed". Reads the prefetched designs only."""
    return key in {f"{short_name(design.design_type)} methods" for design in evaluation.designs.all()}
