"""Structured findings: numbers stored as numbers, so they can be compared and charted."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from registry import rules


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Decrease"
    NO_CHANGE = "no_change", "No change"
    MIXED = "mixed", "Mixed"
    NOT_REPORTED = "not_reported", "Not reported"


class Significance(models.TextChoices):
    SIGNIFICANT = "significant", "Statistically significant"
    NOT_SIGNIFICANT = "not_significant", "Not statistically significant"
    NOT_REPORTED = "not_reported", "Not reported"


# What a finding states, as the API reads and writes it.
FINDING_VALUE_FIELDS = (
    "intervention", "outcome", "comparison", "direction", "effect_size", "effect_unit",
    "ci_lower", "ci_upper", "ci_level", "p_value", "sample_size", "significance", "statement",
)


class Finding(models.Model):
    evaluation = models.ForeignKey("registry.Evaluation", on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveSmallIntegerField(default=0)
    intervention = models.CharField(
        max_length=255, blank=True, help_text="The project or strand, when the record has several."
    )
    outcome = models.CharField(max_length=255)
    comparison = models.CharField(max_length=255, blank=True)
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.NOT_REPORTED)
    effect_size = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    effect_unit = models.CharField(max_length=80, blank=True, help_text="For example: percentage points.")
    ci_lower = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    ci_upper = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    ci_level = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Per cent, for example 95.",
    )
    p_value = models.DecimalField(
        max_digits=8, decimal_places=6, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    significance = models.CharField(max_length=20, choices=Significance.choices, default=Significance.NOT_REPORTED)
    statement = models.TextField(help_text="The finding in plain language.")
    source_document = models.ForeignKey(
        "registry.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ci_lower__isnull=True)
                | models.Q(ci_upper__isnull=True)
                | models.Q(ci_lower__lte=models.F("ci_upper")),
                name="finding_ci_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(p_value__isnull=True) | models.Q(p_value__gte=0, p_value__lte=1),
                name="finding_p_value_range",
            ),
        ]

    def __str__(self):
        return f"{self.outcome}: {self.statement[:60]}"

    def clean(self):
        rules.enforce(rules.finding_problems(vars(self)))

    @property
    def effect_display(self):
        if self.effect_size is None:
            return ""
        value = self.effect_size.normalize()
        text = f"{value:+f}" if value != 0 else "0"
        return f"{text} {self.effect_unit}".strip()

    @property
    def statistics_display(self):
        """The numbers a finding states, in one line for lists: "effect +4 points,
        95% CI 1 to 7, p = 0.03, sample of 1,250". Empty when it states none."""
        parts = []
        if self.effect_size is not None:
            parts.append(f"effect {self.effect_display}")
        if self.ci_lower is not None and self.ci_upper is not None:
            level = f"{self.ci_level.normalize():f}% " if self.ci_level is not None else ""
            parts.append(f"{level}CI {self.ci_lower.normalize():f} to {self.ci_upper.normalize():f}")
        if self.p_value is not None:
            parts.append(f"p = {self.p_value.normalize():f}")
        if self.sample_size is not None:
            parts.append(f"sample of {self.sample_size:,}")
        return ", ".join(parts)
