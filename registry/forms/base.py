"""What every journey form shares: GOV.UK error summary links."""
from django import forms

CHOICE_WIDGETS = {"radioselect", "checkboxselectmultiple"}


class GovukForm(forms.Form):
    """A form whose errors can be listed in a GOV.UK error summary, each linking to its field
    (the first option of a group of radios or checkboxes, as the design system asks)."""

    def error_links(self):
        links = []
        first_field = next(iter(self.fields), None)
        for name, messages in self.errors.items():
            target = first_field if name == "__all__" else name
            anchor = self._anchor(target) if target in self.fields else "main-content"
            links.extend((anchor, message) for message in messages)
        return links

    def add_problems(self, problems, rename=None):
        """Messages from registry.rules ({field: message}) beside their fields;
        `rename` maps a rule's field name to this form's where they differ."""
        for field, message in problems.items():
            name = (rename or {}).get(field, field)
            self.add_error(name if name in self.fields else None, message)

    def _anchor(self, name):
        bound = self[name]
        if bound.widget_type in CHOICE_WIDGETS:
            return f"{bound.auto_id}_0"
        return bound.auto_id


def yes_no_field(label, *, required=False, hint=""):
    """A radios question kept as True, False or (when allowed) None for "not provided"."""
    choices = [("yes", "Yes"), ("no", "No")]
    if not required:
        choices.append(("", "Not provided"))
    return forms.TypedChoiceField(
        label=label, help_text=hint, choices=choices, required=required, widget=forms.RadioSelect,
        coerce=lambda value: {"yes": True, "no": False}.get(value), empty_value=None,
        error_messages={"required": f"Select yes or no: {label.lower()}",
                        "invalid_choice": "Select one of the options"},
    )


def yes_no_initial(value):
    return {True: "yes", False: "no"}.get(value, "")


def text_field(label, max_length, *, required=False, hint="", textarea=False, required_message=""):
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=hint,
        widget=forms.Textarea(attrs={"rows": 5}) if textarea else forms.TextInput,
        error_messages={
            "required": required_message or f"Enter the {label.lower()}",
            "max_length": f"{label.removesuffix(' (optional)')} must be %(limit_value)d characters or fewer "
                          f"(it has %(show_value)d)",
        },
    )
