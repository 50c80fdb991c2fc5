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


def facet_values(raw, labels):
    """raw: {facet: {code: count}}, labels: {facet: {code: label}} -> {facet: [FacetValue]},
    years newest first, other facets by count then label: what every backend returns."""
    from registry.search.base import FacetValue

    out = {}
    for name, counts in raw.items():
        values = [FacetValue(value=k, label=labels.get(name, {}).get(k, k), count=v) for k, v in counts.items()]
        if name == "year":
            values.sort(key=lambda f: f.value, reverse=True)
        else:
            values.sort(key=lambda f: (-f.count, f.label))
        out[name] = values
    return out
