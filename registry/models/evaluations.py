"""An evaluation record and the rows that hang off it: its designs (types and
methods), organisations, event dates and links."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from registry import rules
from registry.models.choices import Stage, Visibility  # noqa: F401  (callers import them from here)
from registry.models.querysets import EvaluationQuerySet

if TYPE_CHECKING:
    from registry.quality import Problem

YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]
MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]
# Only web links: a javascript: or data: URL must never reach a page.
http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://"
)


class HistoryEntry(models.Model):
    """What a record's history entries carry beyond the record's own fields."""

    published = models.BooleanField(
        default=False, help_text="This entry is the record as it was published (what visitors may see)."
    )

    class Meta:
        abstract = True


class Evaluation(models.Model):
    """One evaluation of a policy or programme, as the registry records it.

    Nullable booleans keep "not provided" (None) apart from an explicit "no".
    """

    # Set by the drafts service after a write (not a column): the record's quality
    # problems, which the API returns with the record it saved.
    quality_problems: "list[Problem]"

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable address of the record page.")
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True, help_text="Markdown.")
    summary_machine_written = models.BooleanField(
        default=False, help_text="The summary was written by an AI model; the page shows a disclaimer."
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.DRAFT, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    review_comment = models.TextField(blank=True, help_text="A moderator's comment when returning the record.")

    lead_department = models.ForeignKey(
        "registry.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="led_evaluations"
    )
    other_departments = models.ManyToManyField("registry.Department", blank=True, related_name="joined_evaluations")
    programme = models.ForeignKey(
        "registry.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    places = models.ManyToManyField("registry.Place", blank=True, related_name="evaluations")
    policy_areas = models.ManyToManyField("registry.PolicyArea", blank=True, related_name="evaluations")
    design_types = models.ManyToManyField(
        "registry.DesignType", through="registry.EvaluationDesign", blank=True, related_name="evaluations"
    )
    organisations = models.ManyToManyField(
        "registry.Organisation", through="registry.EvaluationOrganisation", blank=True, related_name="evaluations"
    )

    is_grant_funded = models.BooleanField(null=True, blank=True)
    grant_number = models.CharField(max_length=100, blank=True)
    is_major_project = models.BooleanField(null=True, blank=True)
    major_project_number = models.CharField(max_length=100, blank=True)

    cost_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)], help_text="Pounds."
    )
    cost_price_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)
    cost_note = models.TextField(blank=True)
    permission_to_share = models.BooleanField(null=True, blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # `published` is set by the publishing service (services/workflow.py), so the
    # history page finds the published versions by a flag, not by their wording.
    history = HistoricalRecords(m2m_fields=[other_departments, places, policy_areas], bases=[HistoryEntry])
    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        # The public list's order (title, then id) read from an index of the
        # published records alone: an API or browse page is an index-only scan of
        # its page and count, not a sort of the whole table (26 ms to 5 ms at
        # 10,000 records).
        indexes = [
            models.Index(fields=["title", "id"], name="evaluation_public_title",
                         condition=models.Q(visibility="published")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_price_year__isnull=True)
                | models.Q(cost_price_year__gte=1900, cost_price_year__lte=2100),
                name="evaluation_cost_price_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_amount__isnull=True) | models.Q(cost_amount__gte=0),
                name="evaluation_cost_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def reference(self):
        """What a contributor quotes to the registry team: "ER-00042" (the id, padded; never changes)."""
        return f"ER-{self.pk:05d}" if self.pk else ""

    def get_absolute_url(self):
        return reverse("registry:evaluation", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.visibility == Visibility.PUBLISHED

    def clean(self):
        rules.enforce(rules.number_only_when_yes(vars(self)))


def _mark_published(sender, instance, history_instance, **kwargs):
    """An entry is a published version when the service saving it says so
    (`instance._history_published`, set beside the change reason)."""
    if isinstance(instance, Evaluation):
        history_instance.published = bool(getattr(instance, "_history_published", False))


pre_create_historical_record.connect(_mark_published, dispatch_uid="registry-history-published")


class EvaluationDesign(models.Model):
    """An evaluation type or method chosen for an evaluation; "Other" rows carry a description."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="designs")
    design_type = models.ForeignKey("registry.DesignType", on_delete=models.PROTECT, related_name="evaluation_designs")
    description = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["design_type__position"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "design_type"], name="unique_evaluation_design")]

    def __str__(self):
        return f"{self.design_type}: {self.description}" if self.description else str(self.design_type)

    def clean(self):
        if self.design_type_id:
            rules.enforce(rules.other_method_described(self.design_type.collect_description, self.description))


class OrganisationRole(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    EVALUATOR = "evaluator", "Evaluator"
    DELIVERY_PARTNER = "delivery_partner", "Delivery partner"
    FUNDER = "funder", "Funder"
    OTHER = "other", "Other"


class EvaluationOrganisation(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="organisation_roles")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=30, choices=OrganisationRole.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "organisation", "role"], name="unique_evaluation_org_role")
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class EventCategory(models.TextChoices):
    EVALUATION_START = "evaluation_start", "Evaluation start"
    EVALUATION_END = "evaluation_end", "Evaluation end"
    INTERVENTION_START = "intervention_start", "Intervention start date"
    INTERVENTION_END = "intervention_end", "Intervention end date"
    INTERIM_DATA_EXTRACTION = "interim_data_extraction", "Interim data extraction"
    INTERIM_DATA_ANALYSIS = "interim_data_analysis", "Interim data analysis"
    FINAL_DATA_EXTRACTION = "final_data_extraction", "Final data extraction"
    FINAL_DATA_ANALYSIS = "final_data_analysis", "Final data analysis"
    INTERIM_RESULTS = "interim_results", "Publication of interim results"
    FINAL_RESULTS = "final_results", "Publication of final results"
    OTHER = "other", "Other"


class DateStatus(models.TextChoices):
    INTENDED = "intended", "Intended"
    ACTUAL = "actual", "Actual"


class EventDate(models.Model):
    """A dated milestone; the month is optional, the year is not."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="event_dates")
    category = models.CharField(max_length=40, choices=EventCategory.choices)
    description = models.CharField(
        max_length=255, blank=True, help_text="What the event is, when the category is Other."
    )
    month = models.PositiveSmallIntegerField(null=True, blank=True, validators=MONTH_VALIDATORS)
    year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    status = models.CharField(max_length=10, choices=DateStatus.choices, blank=True, help_text="Blank: not provided.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "month", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year__gte=1900, year__lte=2100), name="event_year_range"),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12), name="event_month_range"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.when}"

    @property
    def label(self):
        if self.category == EventCategory.OTHER and self.description:
            return self.description
        return self.get_category_display()

    @property
    def when(self):
        import calendar

        return f"{calendar.month_name[self.month]} {self.year}" if self.month else str(self.year)

    def clean(self):
        rules.enforce(rules.other_event_described(self.category, self.description))


class LinkKind(models.TextChoices):
    REPORT = "report", "Link(s) to published report(s)"
    PLAN = "plan", "Links to evaluation plans"
    EVALUATION = "evaluation", "Links to published evaluations"


class Link(models.Model):
    """A link from the record. The address may be unknown when a source says a
    link exists without giving it; the page then says so rather than guessing."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    url = models.CharField(max_length=1000, blank=True, validators=[http_url_validator])
    title = models.CharField(max_length=255, blank=True)
    note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self):
        return self.title or self.url or self.get_kind_display()
