"""The questions of the share-an-evaluation journey, one form per page.

Choices posted by hand are checked against the vocabularies (codes, not ids, so
a URL or a test can name them); every message says what to do next.
"""
import calendar

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from registry import rules
from registry.forms.base import GovukForm, text_field, yes_no_field
from registry.models import Department, DesignType, Organisation, PolicyArea
from registry.models.evaluations import (
    DateStatus,
    EventCategory,
    LinkKind,
    OrganisationRole,
    Stage,
    http_url_validator,
)
from registry.models.findings import Direction, Significance
from registry.services.versions import CHANGE_NOTE_LENGTH

MAX_SUMMARY = 10000
# GOV.UK organisations that no longer exist: not offered for new rows.
DEFUNCT_STATUSES = ("closed",)
MAX_PLACES = 50


class CodeChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, noun="option", **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid_choice", f"Select a {noun} from the list")
        super().__init__(*args, **kwargs)


class CodeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, noun="option", **kwargs):
        kwargs.setdefault("error_messages", {})
        messages = kwargs["error_messages"]
        messages.setdefault("invalid_choice", f"“%(value)s” is not a known {noun}: select from the list")
        messages.setdefault("invalid_pk_value", f"“%(pk)s” is not a known {noun}: select from the list")
        super().__init__(*args, **kwargs)


class BasicsForm(GovukForm):
    title = text_field("Title", 255, required=True, required_message="Enter the title of the evaluation")
    lead_department = CodeChoiceField(
        queryset=Department.objects.all(), to_field_name="code", noun="lead department", label="Lead department",
        empty_label="Select a department", error_messages={"required": "Select the lead department"},
        help_text="Start typing to find a department.", widget=forms.Select(attrs={"picker": "autocomplete"}),
    )
    other_departments = CodeMultipleChoiceField(
        queryset=Department.objects.all(), to_field_name="code", noun="department", required=False,
        label="Other departments (optional)", help_text="Departments that share the evaluation. Select all that apply.",
        widget=forms.CheckboxSelectMultiple(attrs={"picker": "multiple"}),
    )

    def __init__(self, *args, colleagues=None, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        if department is not None and not self.initial.get("lead_department"):
            self.initial["lead_department"] = department  # the user's own department, to change if need be
        if colleagues is not None and colleagues.exists():
            self.fields["co_editors"] = CodeMultipleChoiceField(
                queryset=colleagues, to_field_name="username", noun="colleague in your department", required=False,
                label="Co-editors (optional)", help_text="Colleagues in your department who may also edit this record.",
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self):
        data = super().clean()
        self.add_problems(rules.lead_not_also_other(data.get("lead_department"), data.get("other_departments")))
        return data


class StageForm(GovukForm):
    stage = forms.ChoiceField(
        label="What stage is the evaluation at?", choices=Stage.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the evaluation stage", "invalid_choice": "Select one of the stages listed"},
    )


class TypesForm(GovukForm):
    types = CodeMultipleChoiceField(
        queryset=DesignType.objects.types(), to_field_name="code", noun="evaluation type",
        label="What types of evaluation is it?", help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple, error_messages={"required": "Select at least one evaluation type"},
    )


class MethodsForm(GovukForm):
    """One group of method checkboxes per chosen type, and a description box for each "Other"."""

    def __init__(self, *args, tree, chosen_types, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current or {}  # design_type_id -> description
        self.by_code = {node.code: node for node in tree}
        self.groups = []
        for design_type in chosen_types:
            methods = [n for n in tree if n.parent_id == design_type.pk]
            nodes = []
            for method in methods:  # each method followed by its own sub-methods
                nodes.append(method)
                nodes.extend(n for n in tree if n.parent_id == method.pk)
            choices = [(n.code, _method_label(n, design_type)) for n in nodes]
            name = f"methods_{design_type.code}"
            self.fields[name] = forms.MultipleChoiceField(
                label=f"{design_type.name}: which methods?", choices=choices, required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "“%(value)s” is not a method of this type: select from the list"},
            )
            others = []
            for node in nodes:
                if node.collect_description:
                    other_name = f"describe_{node.code}"
                    label = f"Describe the other method ({node.parent.name})"
                    self.fields[other_name] = text_field(label, 500)
                    others.append(other_name)
            self.groups.append({"type": design_type, "field": name, "others": others})

    def bound_groups(self):
        """Per chosen type: its methods as families (a method, then its own sub-methods),
        each option with the "describe it" box it reveals when ticked (GOV.UK conditional reveal)."""
        groups = []
        for group in self.groups:
            bound = self[group["field"]]
            options = list(bound)
            type_pk = group["type"].pk
            families = []
            for option in options:
                node = self.by_code[option.data["value"]]
                describe = f"describe_{node.code}" if node.collect_description else None
                entry = {"option": option, "node": node, "child": node.parent_id != type_pk,
                         "other": self[describe] if describe else None}
                if not entry["child"] or not families:
                    families.append({"node": node, "options": [entry]})
                else:
                    families[-1]["options"].append(entry)
            groups.append({"type": group["type"], "field": bound, "families": families,
                           "others": [self[o] for o in group["others"]]})
        return groups

    def clean(self):
        data = super().clean()
        chosen = {}
        for group in self.groups:
            for code in data.get(group["field"], []):
                node = self.by_code[code]
                description = self.current.get(node.pk, "")
                if node.collect_description:
                    description = (data.get(f"describe_{code}") or "").strip()
                    self.add_problems(rules.other_method_described(True, description),
                                      rename={"description": f"describe_{code}"})
                chosen[node] = description
                if node.parent and node.parent.parent_id and node.parent not in chosen:
                    chosen.setdefault(node.parent, self.current.get(node.parent_id, ""))
        data["methods"] = chosen
        return data


def _method_label(node, design_type):
    """Sub-methods name their method: "Randomised control trial (RCT): Cluster RCT"."""
    return str(node) if node.parent_id == design_type.pk else f"{node.parent.name}: {node}"


class SummaryForm(GovukForm):
    summary = text_field(
        "Summary", MAX_SUMMARY, required=True, textarea=True, required_message="Enter a summary of the evaluation",
        hint="What was evaluated, how, and what was found. You can use Markdown: *emphasis*, lists, [links](https://www.gov.uk).",
    )
    summary.widget.attrs["rows"] = 12


def _month_year_error(name, low, high):
    return {
        "required": f"Enter the {name}",
        "invalid": f"The {name} must be a number between {low} and {high}",
        "min_value": f"The {name} must be between {low} and {high}",
        "max_value": f"The {name} must be between {low} and {high}",
    }


class EventDateForm(GovukForm):
    category = forms.ChoiceField(
        label="Event", choices=[("", "Select an event")] + EventCategory.choices,
        error_messages={"required": "Select the event", "invalid_choice": "Select one of the events listed"},
    )
    description = text_field("Description", 255, hint="Needed when the event is Other.")
    month = forms.IntegerField(label="Month (optional)", required=False, min_value=1, max_value=12,
                               error_messages=_month_year_error("month", 1, 12), help_text="For example, 3")
    year = forms.IntegerField(label="Year", min_value=1900, max_value=2100,
                              error_messages=_month_year_error("year", 1900, 2100), help_text="For example, 2021")
    status = forms.ChoiceField(
        label="Is the date intended or actual?", required=False, widget=forms.RadioSelect,
        choices=DateStatus.choices + [("", "Not provided")],
        error_messages={"invalid_choice": "Select intended, actual or not provided"},
    )

    def __init__(self, *args, existing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = list(existing)
        self.fields["month"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["year"].widget.attrs.update({"inputmode": "numeric"})

    def leave_out(self, row):
        self.existing = [r for r in self.existing if r.pk != row.pk]

    def clean(self):
        data = super().clean()
        self.add_problems(rules.other_event_described(data.get("category"), data.get("description")))
        if not self.errors:
            self.add_problems(rules.date_in_order(data.get("category"), data.get("year"), data.get("month"),
                                                  self.existing))
        return data


class OrganisationRoleForm(GovukForm):
    organisation = CodeChoiceField(
        queryset=Organisation.objects.exclude(govuk_status__in=DEFUNCT_STATUSES), to_field_name="slug",
        noun="organisation", label="Organisation", required=False, empty_label="Select an organisation",
        help_text="Start typing to find an organisation. Closed government bodies are not listed.",
        widget=forms.Select(attrs={"picker": "autocomplete"}),
    )
    organisation_name = text_field(
        "If the organisation is not listed, enter its name", 255,
        hint="For example, an evaluator outside government such as Ipsos, NatCen or the IFS.",
    )
    role = forms.ChoiceField(
        label="Role", choices=OrganisationRole.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the organisation's role",
                        "invalid_choice": "Select one of the roles listed"},
    )

    def __init__(self, *args, existing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = {(r.organisation_id, r.role) for r in existing}

    def leave_out(self, row):
        self.existing.discard((row.organisation_id, row.role))
        if row.organisation_id and not self.fields["organisation"].queryset.filter(pk=row.organisation_id).exists():
            # A closed body already on the record stays choosable for this row.
            self.fields["organisation"].queryset = Organisation.objects.filter(
                Q(pk=row.organisation_id) | ~Q(govuk_status__in=DEFUNCT_STATUSES))

    def clean(self):
        data = super().clean()
        data["organisation_name"] = (data.get("organisation_name") or "").strip()
        organisation = data.get("organisation")
        if organisation is None and not data["organisation_name"] and "organisation" not in self.errors:
            self.add_error("organisation", "Select the organisation, or enter its name if it is not listed")
        if organisation is not None and data["organisation_name"]:
            self.add_error("organisation_name", "Select an organisation from the list or enter a name, not both")
        if organisation is not None:
            self.add_problems(rules.organisation_role_once(organisation.pk, data.get("role"), self.existing))
        return data


class ContextForm(GovukForm):
    programme = text_field("Programme (optional)", 255, hint="The programme that funds or groups the evaluation.")
    places = forms.CharField(
        label="Places (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One place per line: local authority areas, regions or nations.",
    )

    def clean_places(self):
        names = [line.strip() for line in self.cleaned_data["places"].splitlines() if line.strip()]
        if len(names) > MAX_PLACES:
            raise forms.ValidationError(f"List at most {MAX_PLACES} places")
        for name in names:
            if len(name) > 255:
                raise forms.ValidationError("Each place must be 255 characters or fewer")
        return list(dict.fromkeys(names))

    def clean_programme(self):
        return self.cleaned_data["programme"].strip()


class PolicyAreasForm(GovukForm):
    policy_areas = CodeMultipleChoiceField(
        queryset=PolicyArea.objects.all(), to_field_name="code", noun="policy area", required=False,
        label="Which policy areas does the evaluation cover?", help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
    )

    def _anchor(self, name):
        return "policy-areas"  # the page groups the checkboxes under their top-level areas


class MoneyField(forms.DecimalField):
    """Pounds as people write them: "£1,250,000", "1250000", "£ 99.50"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").replace(" ", "")
        return super().to_python(value)


class CountField(forms.IntegerField):
    """A whole number as people write it: "1,250" or "1250"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace(" ", "")
        return super().to_python(value)


class CostsForm(GovukForm):
    is_grant_funded = yes_no_field("Is the intervention distributing funding via a grant?")
    grant_number = text_field("Grant number (optional)", 100)
    is_major_project = yes_no_field("Is the intervention a Government Major Project?")
    major_project_number = text_field("Major project number (optional)", 100)
    cost_amount = MoneyField(
        label="Cost of the evaluation in pounds (optional)", required=False, min_value=0,
        max_digits=14, decimal_places=2,
        help_text="For example, £1,250,000 or 125000.50",
        error_messages={"invalid": "Enter the cost in pounds, like £125,000 or 125000",
                        "min_value": "The cost cannot be negative",
                        "max_digits": "Enter a cost of less than £1 trillion",
                        "max_decimal_places": "Enter pounds and pence only (2 decimal places)",
                        "max_whole_digits": "Enter a cost of less than £1 trillion"},
    )
    cost_price_year = forms.IntegerField(
        label="Price year (optional)", required=False, min_value=1900, max_value=2100, help_text="For example, 2022",
        error_messages=_month_year_error("price year", 1900, 2100),
    )
    cost_note = text_field("Note about the cost (optional)", 2000, textarea=True)

    def clean(self):
        data = super().clean()
        self.add_problems(rules.number_only_when_yes(data))
        return data


class LinkForm(GovukForm):
    kind = forms.ChoiceField(
        label="What does the link point to?", choices=LinkKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select what the link points to", "invalid_choice": "Select one of the options"},
    )
    url = forms.CharField(
        label="Web address", max_length=1000, validators=[http_url_validator], help_text="Starting with https://",
        error_messages={"required": "Enter the web address",
                        "max_length": "Web address must be 1000 characters or fewer"},
    )
    title = text_field("Link text (optional)", 255)

    def clean_url(self):
        return self.cleaned_data["url"].strip()


def _decimal_field(label, *, max_digits, decimal_places, hint, example, low=None, high=None):
    """An optional number with GOV.UK messages; `low`/`high` bound it where a range is fixed."""
    name = label.removesuffix(" (optional)")
    lower = name[0].lower() + name[1:]
    messages = {"invalid": f"Enter the {lower} as a number, like {example}",
                "max_digits": f"Enter a smaller {lower}", "max_whole_digits": f"Enter a smaller {lower}",
                "max_decimal_places": f"Use at most {decimal_places} decimal places"}
    if low is not None:
        messages["min_value"] = f"{name} must be between {low} and {high}"
        messages["max_value"] = f"{name} must be between {low} and {high}"
    return forms.DecimalField(label=label, required=False, max_digits=max_digits, decimal_places=decimal_places,
                              min_value=low, max_value=high, help_text=hint, error_messages=messages)


class FindingForm(GovukForm):
    intervention = text_field(
        "Intervention (optional)", 255,
        hint="The project or strand this finding is about, when the evaluation covers several.")
    outcome = text_field("Outcome", 255, required=True, required_message="Enter the outcome",
                         hint="What was measured, for example: reoffending within 12 months.")
    comparison = text_field("Compared with (optional)", 255)
    direction = forms.ChoiceField(label="Direction of the effect", choices=Direction.choices, widget=forms.RadioSelect,
                                  error_messages={"required": "Select the direction of the effect",
                                                  "invalid_choice": "Select one of the directions listed"})
    effect_size = forms.DecimalField(
        label="Effect size (optional)", required=False, max_digits=14, decimal_places=4,
        help_text="A number, for example -11 or 0.25.",
        error_messages={"invalid": "Enter the effect size as a number, like -11 or 0.25",
                        "max_digits": "Enter a smaller effect size",
                        "max_decimal_places": "Use at most 4 decimal places",
                        "max_whole_digits": "Enter a smaller effect size"},
    )
    effect_unit = text_field("Unit of the effect (optional)", 80, hint="For example: percentage points.")
    ci_lower = _decimal_field("Confidence interval, lower bound (optional)", max_digits=14, decimal_places=4,
                              hint="For example -14.2.", example="-14.2")
    ci_upper = _decimal_field("Confidence interval, upper bound (optional)", max_digits=14, decimal_places=4,
                              hint="For example -7.8.", example="-7.8")
    ci_level = _decimal_field("Confidence level, per cent (optional)", max_digits=5, decimal_places=2,
                              hint="For example 95.", example="95", low=0, high=100)
    p_value = _decimal_field("P-value (optional)", max_digits=8, decimal_places=6,
                             hint="A number from 0 to 1, for example 0.03.", example="0.03", low=0, high=1)
    sample_size = CountField(
        label="Sample size (optional)", required=False, min_value=0, max_value=2_147_483_647,
        help_text="The number of people or units the finding is based on, for example 1,250.",
        error_messages={"invalid": "Enter the sample size as a whole number, like 1250",
                        "min_value": "Sample size must be 0 or more",
                        "max_value": "Enter a smaller sample size"},
    )
    significance = forms.ChoiceField(label="Statistical significance", choices=Significance.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": "Select the statistical significance",
                                                     "invalid_choice": "Select one of the options"})
    statement = text_field("The finding in plain language", 2000, required=True, textarea=True,
                           required_message="Enter the finding in plain language")
    source_document = forms.ModelChoiceField(
        queryset=None, required=False, label="Source document (optional)", empty_label="None",
        error_messages={"invalid_choice": "Select a document added to this record"},
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_document"].queryset = documents

    def clean(self):
        data = super().clean()
        self.add_problems(rules.finding_problems(data))
        return data


class SharingForm(GovukForm):
    permission_to_share = yes_no_field("Do you have permission to share this evaluation publicly?", required=True)


class ReviewCommentForm(GovukForm):
    comment = text_field("What needs to change", 2000, required=True, textarea=True,
                         required_message="Enter what needs to change")


class ChangeNoteForm(GovukForm):
    """Asked of whoever submits changes to a published record: the note is
    published with the new version (the API's /versions/ and the history)."""

    change_note = text_field(
        "What has changed?", CHANGE_NOTE_LENGTH, required=True, textarea=True,
        required_message="Enter what has changed, in a sentence",
        hint="This is published with the new version, for example “Added the final report and its findings”.",
    )


class WithdrawForm(GovukForm):
    reason = text_field("Why is the record withdrawn?", 2000, required=True, textarea=True,
                        required_message="Enter why the record is withdrawn",
                        hint="This is shown on the record's page.")


def colleagues_of(user):
    """Other contributors in the user's department (co-editor candidates), or None."""
    membership = getattr(user, "registry_membership", None)
    if membership is None:
        return None
    return get_user_model().objects.filter(
        registry_membership__department_id=membership.department_id, is_active=True
    ).exclude(pk=user.pk).order_by("username")


def department_of(user):
    """The user's own department (Membership), to pre-fill the lead department; or None."""
    membership = getattr(user, "registry_membership", None)
    return membership.department if membership is not None else None


def month_choices():
    return [(n, calendar.month_name[n]) for n in range(1, 13)]
