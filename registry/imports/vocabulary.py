"""The vocabularies as an import reads them: every way a person writes a value
(a department's name, acronym or code; a method's name, acronym or spelling)
mapped to the row it means, loaded once for the whole file.

Nothing is guessed: a value no key matches, or one that matches two rows
(Individual interviews is a process method and a generic one), comes back as a
problem the report shows, with what to write instead. Method acronyms and
spellings are data (MethodSynonym, fixtures/vocabularies/method_synonyms.csv),
not code.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import TextChoices

from registry.models import Department, DesignType, MethodSynonym, PolicyArea
from registry.models.choices import Stage
from registry.models.evaluations import DateStatus, EventCategory, OrganisationRole
from registry.models.findings import Direction, Significance

TRAILING_BRACKETS = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]*)\)$")


class Unknown(ValueError):
    """A value the vocabulary does not hold (the message says what to write instead)."""


def key(text: str) -> str:
    """Case, hyphens, punctuation and runs of spaces set aside: "Difference-in-Difference" is
    "difference in difference"."""
    text = text.casefold().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[-_/,.']", " ", text)
    return " ".join(text.split())


def choice_keys(choices: type[TextChoices], *extra: tuple[str, str]) -> dict[str, str]:
    found = {}
    for value, label in choices.choices:
        found[key(value)] = value
        found[key(label)] = value
    for text, value in extra:
        found[key(text)] = value
    return found


STAGES = choice_keys(Stage, ("planned", Stage.PLANNED), ("ongoing", Stage.ONGOING),
                     ("complete", Stage.COMPLETE), ("completed", Stage.COMPLETE))
ROLES = choice_keys(OrganisationRole)
CATEGORIES = choice_keys(
    EventCategory, *((label.removesuffix(" date"), value) for value, label in EventCategory.choices),
)
STATUSES = choice_keys(DateStatus)
DIRECTIONS = choice_keys(Direction)
SIGNIFICANCES = choice_keys(Significance, ("significant", Significance.SIGNIFICANT),
                            ("not significant", Significance.NOT_SIGNIFICANT))


def choice(table: dict[str, str], text: str, what: str) -> str:
    found = table.get(key(text))
    if found is None:
        labels = sorted({label for label in table if label})
        raise Unknown(f"“{text}” is not a {what}. Use one of: {', '.join(labels[:12])}")
    return found


class Vocabulary:
    """Departments, evaluation types and methods, and policy areas, keyed every way they are written."""

    def __init__(self):
        self.departments = _keyed(Department.objects.all(), _department_names)
        self.policy_areas = _keyed(PolicyArea.objects.all(), lambda p: (p.label, p.display, p.code))
        nodes = list(DesignType.objects.select_related("parent__parent"))
        self.roots = {node.pk: _root(node) for node in nodes}
        self.types = _keyed([n for n in nodes if n.parent_id is None], _type_names)
        self.methods = _keyed([n for n in nodes if n.parent_id is not None], _method_names)
        self.spellings: list[tuple[re.Pattern, str]] = []
        self.by_code = by_code = {n.code: n for n in nodes}
        for synonym in MethodSynonym.objects.select_related("design_type"):
            if synonym.design_type_id is None:  # a spelling: "randomized" is written "randomised"
                self.spellings.append((re.compile(rf"\b{re.escape(key(synonym.term))}\b"), key(synonym.expansion)))
            elif synonym.design_type.code in by_code:
                node = by_code[synonym.design_type.code]
                target = self.types if node.parent_id is None else self.methods
                for text in (synonym.term, synonym.expansion):
                    target[key(text)].add(node)

    def department(self, text: str) -> Department:
        return _one(self.departments, key(text), text, "department",
                    "Use its name as GOV.UK lists it (Department for Education), its acronym (DfE) or code")

    def policy_area(self, text: str) -> PolicyArea:
        return _one(self.policy_areas, key(text), text, "policy area", "Use a GOV.UK topic's name")

    def evaluation_type(self, text: str) -> tuple[DesignType, str | None]:
        """(type, description): "Other: what the evaluation was" for the Other type."""
        name, colon, rest = text.partition(":")
        if colon and rest.strip() and self.types.get(key(name)):
            text, description = name.strip(), rest.strip()
        else:
            description = None
        node = _one(self.types, key(text), text, "evaluation type",
                    "Use impact, process, value for money or other")
        if node.collect_description and not description:
            raise Unknown("Describe the other evaluation type: write “Other: what the evaluation was”")
        return node, description

    def method(self, text: str, chosen_types: Iterable[DesignType] = ()) -> tuple[DesignType, str | None]:
        """(method, description): "Propensity score matching: how it was used"; an Other method
        needs its description: "Other (Impact evaluation): what the method was"."""
        description = None
        name, colon, rest = text.partition(":")
        if colon and rest.strip() and self._method_candidates(name.strip()):
            text, description = name.strip(), rest.strip()
        candidates = self._method_candidates(text)
        if len(candidates) > 1:
            roots = {t.pk for t in chosen_types}
            narrowed = {node for node in candidates if self.roots[node.pk] in roots}
            candidates = narrowed if len(narrowed) == 1 else candidates
        if not candidates:
            raise Unknown(f"“{text}” is not a method the registry lists. Use a method's name or acronym "
                          f"as the registry's method list shows it")
        if len(candidates) > 1:
            options = "; ".join(sorted(f"{n.name} ({n.parent.name})" for n in candidates))
            raise Unknown(f"“{text}” is the name of more than one method. Write one of: {options}")
        node = next(iter(candidates))
        if node.collect_description and not description:
            raise Unknown(f"Describe the other method: write “Other ({node.parent.name}): what the method was”")
        return node, description

    def design_code(self, code: str) -> DesignType:
        """A type or method by its code (the API's CSV lists them in method_codes)."""
        node = self.by_code.get(code.strip())
        if node is None:
            raise Unknown(f"“{code}” is not the code of an evaluation type or method")
        if node.collect_description:
            raise Unknown(f"“{code}” is an Other method: describe it in the methods column instead")
        return node

    def _method_candidates(self, text: str) -> set[DesignType]:
        wanted = key(text)
        for pattern, replacement in self.spellings:
            wanted = pattern.sub(replacement, wanted)
        found = set(self.methods.get(wanted, ()))
        if not found:
            match = TRAILING_BRACKETS.match(text)
            if match:  # "Individual interviews (Process evaluation)": a name under a named parent
                parent = key(match["inner"])
                found = {n for n in self.methods.get(key(match["name"]), ())
                         if parent in {key(n.parent.name), key(n.parent.code)}}
        return found


def _department_names(department: Department):
    yield department.name
    yield department.code
    if department.gov_id:
        yield department.gov_id
    match = TRAILING_BRACKETS.match(department.name)
    if match:  # "Department for Education (DfE)": the name alone, and the acronym
        yield match["name"]
        yield match["inner"]


def _type_names(node: DesignType):
    yield node.name
    yield node.code
    yield node.name.removesuffix(" evaluation")


def _method_names(node: DesignType):
    yield node.code
    if node.collect_description:
        yield f"Other ({node.parent.name})"
        return
    yield node.name
    match = TRAILING_BRACKETS.match(node.name)
    if match:  # "Randomised control trial (RCT)"
        yield match["name"]
        yield match["inner"]


def _keyed(rows, names) -> dict[str, set]:
    table: dict[str, set] = defaultdict(set)
    for row in rows:
        for name in names(row):
            if name:
                table[key(name)].add(row)
    return table


def _one(table, wanted: str, text: str, what: str, hint: str):
    found = table.get(wanted, set())
    if len(found) == 1:
        return next(iter(found))
    if found:
        options = "; ".join(sorted(str(getattr(row, "name", row)) for row in found))
        raise Unknown(f"“{text}” could be more than one {what} ({options}). Write its full name")
    raise Unknown(f"“{text}” is not a {what} the registry lists. {hint}")


def _root(node: DesignType) -> int:
    while node.parent_id is not None:
        node = node.parent
    return node.pk
