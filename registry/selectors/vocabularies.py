"""The vocabularies pages read whole: small, so fetched in one query each."""

from registry.models import Department, DesignType


def design_tree():
    """Every design type, parents before children (one query; the tree is small)."""
    return list(DesignType.objects.select_related("parent").order_by("position"))


def department_choices():
    return Department.objects.only("code", "name").order_by("name")
