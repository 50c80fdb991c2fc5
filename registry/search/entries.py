"""What the index holds for each record and document, read from the database.

Entries are plain dicts of field -> text or list, so any backend (and the
benchmark, which has no database) can index them. Only published records and
documents linked to a published record produce entries: drafts never reach
the engine, so they cannot leak through hits, snippets, facets or suggestions.
"""
import hashlib
import json
import re
from functools import lru_cache

from registry.markdown import markdown_to_text
from registry.models import Department, DesignType, Document, Evaluation
from registry.models.evaluations import Visibility

PASSAGE_WORDS = 300
BATCH = 500
_ACRONYM = re.compile(r"\(([^()]+)\)\s*$")


def acronym(name):
    """'Department for Education (DfE)' -> 'dfe'."""
    match = _ACRONYM.search(name or "")
    return match.group(1).strip().lower() if match else ""


def stamp(entry):
    """A fingerprint of what is indexed, so check_index can spot stale entries."""
    payload = json.dumps(entry, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha1(payload).hexdigest()


def passage_spans(text, size=PASSAGE_WORDS):
    """[(start, end)] character offsets of ~size-word passages of text: each passage
    is text[start:end], without the whitespace after its last word."""
    # One match per passage, the words counted inside the regex engine: a Python
    # step per word made this a tenth of ingest's time.
    spans = [m.span() for m in _passage_pattern(size).finditer(text or "")]
    return spans or [(0, 0)]


@lru_cache(maxsize=4)
def _passage_pattern(size):
    return re.compile(rf"\S+(?:\s+\S+){{0,{size - 1}}}")


def passages(text, size=PASSAGE_WORDS):
    """Split long text into ~size-word passages (whitespace kept inside each), so a
    hit only highlights the passage that matched."""
    return [(text or "")[start:end] for start, end in passage_spans(text, size)]


class DesignTree:
    """The type/method tree loaded once (one query): ancestors without further queries."""

    def __init__(self):
        self.nodes = {d.id: d for d in DesignType.objects.all()}

    def chain(self, node_id):
        node = self.nodes.get(node_id)
        chain = []
        while node is not None:
            chain.append(node)
            node = self.nodes.get(node.parent_id)
        return chain  # the node first, its root last


def _event_sort_key(event_dates):
    dated = [(e.year, e.month or 0) for e in event_dates]
    return max(dated) if dated else None


def body_of(summary, findings):
    """A record's summary and findings as plain text: what its snippets are cut from.
    `findings`: rows of (intervention, outcome, comparison, statement), or Findings."""
    parts = [" ".join(filter(None, f if isinstance(f, (list, tuple))
                             else [f.intervention, f.outcome, f.comparison, f.statement])) for f in findings]
    return "\n\n".join([markdown_to_text(summary)] + [markdown_to_text(part) for part in parts])


def evaluation_entry(evaluation, tree):
    e = evaluation
    departments = ([e.lead_department] if e.lead_department else []) + [
        d for d in e.other_departments.all() if d.id != e.lead_department_id
    ]
    method_names, method_codes, type_codes, type_names = [], set(), set(), []
    for design in e.designs.all():
        chain = tree.chain(design.design_type_id)
        if not chain:
            continue
        root = chain[-1]
        if root.code not in type_codes:
            type_codes.add(root.code)
            type_names.append(root.name)
        for node in chain[:-1]:
            method_codes.add(node.code)
            method_names.append(f"{node.name} {node.code.replace('_', ' ')}")
        if design.description:
            method_names.append(design.description)

    policy = []
    for area in e.policy_areas.all():
        policy.append(area.label)
        if area.parent_id:
            policy.append(area.parent.label)
    policy_codes = {a.code for a in e.policy_areas.all()} | {a.parent.code for a in e.policy_areas.all() if a.parent_id}
    years = sorted({str(d.year) for d in e.event_dates.all()})
    latest = _event_sort_key(e.event_dates.all())
    sort_date = latest[0] * 100 + latest[1] if latest else (
        e.published_at.year * 100 + e.published_at.month if e.published_at else 0
    )
    organisations = [r.organisation for r in e.organisation_roles.all()]
    return {
        "kind": "evaluation",
        "pk": e.pk,
        "title": e.title,
        # Plain text: a snippet shows what a reader sees, never "[page](https://...)"
        # or markup typed into a summary.
        "body": body_of(e.summary, e.findings.all()),
        "method": "\n".join(method_names),
        "type": "\n".join(type_names),
        "department": sorted({v for d in departments for v in (d.code, acronym(d.name), d.gov_id) if v}),
        "department_name": "\n".join(d.name for d in departments),
        "organisation": "\n".join(sorted({o.name for o in organisations})),
        "programme": e.programme.name if e.programme else "",
        "place": "\n".join(p.name for p in e.places.all()),
        "policy": "\n".join(sorted(set(policy))),
        "stage": e.stage,
        "year": years,
        "doc_kind": "",
        "sort_date": sort_date,
        "f_type": sorted(type_codes),
        "f_method": sorted(method_codes),
        "f_department": sorted({d.code for d in departments}),
        "f_stage": [e.stage] if e.stage else [],
        "f_year": years,
        "f_kind": [],
        "f_programme": [e.programme.slug] if e.programme else [],
        "f_place": sorted({p.slug for p in e.places.all()}),
        "f_policy_area": sorted(policy_codes),
        "f_organisation": sorted({o.slug for o in organisations}),
        "display": {
            "slug": e.slug,
            "url": e.get_absolute_url(),
            "department": e.lead_department.name if e.lead_department else "",
            "stage": e.get_stage_display() if e.stage else "",
            "years": f"{years[0]} to {years[-1]}" if len(years) > 1 else (years[0] if years else ""),
            "summary": e.summary[:400],
        },
    }


def document_entry(document):
    """A document, with its text split into passages indexed as separate hits."""
    d = document
    spans = passage_spans(d.text)
    when = f"{d.month_name} {d.year}" if d.year and d.month else (str(d.year) if d.year else "")
    return {
        "kind": "document",
        "pk": d.pk,
        "title": d.title,
        "passages": [d.text[start:end] for start, end in spans],
        # Where each passage sits in the document's text, for a backend that keeps
        # no copy of the text and reads snippets from the document itself.
        "spans": spans,
        "stage": "",
        "year": [str(d.year)] if d.year else [],
        "doc_kind": d.kind,
        "sort_date": (d.year or 0) * 100 + (d.month or 0),
        "f_kind": [d.kind],
        "f_year": [str(d.year)] if d.year else [],
        "display": {
            "url": d.get_absolute_url(),
            "kind": d.get_kind_display(),
            "publisher": d.publisher,
            "when": when,
            "words": d.word_count,
        },
    }


def _evaluation_queryset():
    return Evaluation.objects.published().with_detail(documents=None).order_by("id")


def evaluation_entries(ids=None):
    """Entries for the published evaluations among ids (all when None), in batches."""
    tree = DesignTree()
    queryset = _evaluation_queryset()
    if ids is not None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), BATCH):
            for evaluation in queryset.filter(id__in=ids[start:start + BATCH]):
                yield evaluation_entry(evaluation, tree)
        return
    last = 0
    while True:
        batch = list(queryset.filter(id__gt=last)[:BATCH])
        if not batch:
            return
        for evaluation in batch:
            yield evaluation_entry(evaluation, tree)
        last = batch[-1].id


def _document_queryset():
    return Document.objects.filter(
        id__in=Document.evaluations.through.objects.filter(evaluation__visibility=Visibility.PUBLISHED).values("document_id")
    ).order_by("id")


def visible_document_ids():
    """Ids of the documents the knowledge base shows (those supporting a published record)."""
    return set(_document_queryset().values_list("id", flat=True))


def visible_documents(ids):
    """The documents among ids that the knowledge base shows, checked now."""
    return list(_document_queryset().filter(id__in=list(ids)))


def document_entries(ids=None):
    """Entries for the visible documents among ids (all when None)."""
    queryset = _document_queryset()
    if ids is not None:
        queryset = queryset.filter(id__in=sorted(set(ids)))
    last = 0
    while True:
        batch = list(queryset.filter(id__gt=last)[:50])
        if not batch:
            return
        for document in batch:
            yield document_entry(document)
        last = batch[-1].id


def count_entries():
    return Evaluation.objects.filter(visibility=Visibility.PUBLISHED).count(), _document_queryset().count()


def departments_for(codes):
    return dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
