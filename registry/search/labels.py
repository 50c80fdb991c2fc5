"""Names for facet values: the index stores codes, pages show names (two queries at most)."""
from registry.models import Department, DesignType
from registry.models.documents import DocumentKind
from registry.models.evaluations import Stage


def facet_labels(raw):
    """raw: {facet: {code: count}} -> {facet: {code: label}}."""
    labels = {"stage": dict(Stage.choices), "kind": dict(DocumentKind.choices)}
    design_codes = set(raw.get("type", {})) | set(raw.get("method", {}))
    if design_codes:
        names = dict(DesignType.objects.filter(code__in=design_codes).values_list("code", "name"))
        labels["type"] = labels["method"] = names
    department_codes = set(raw.get("department", {}))
    if department_codes:
        labels["department"] = dict(Department.objects.filter(code__in=department_codes).values_list("code", "name"))
    return labels
