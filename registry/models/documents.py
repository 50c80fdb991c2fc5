"""Documents behind the records: the knowledge base. The extracted text is stored,
so the uploaded file is needed only for download."""

from django.db import models
from django.urls import reverse

from registry.models.evaluations import MONTH_VALIDATORS, YEAR_VALIDATORS, http_url_validator


class DocumentKind(models.TextChoices):
    REPORT = "report", "Evaluation report"
    SUMMARY = "summary", "Summary"
    RESEARCH_BRIEF = "research_brief", "Research brief"
    NEWS = "news", "News item"
    PLAN = "plan", "Evaluation plan"
    ANNEX = "annex", "Technical annex"
    REGISTRY_RECORD = "registry_record", "Registry record"
    OTHER = "other", "Other"


class DocumentQuerySet(models.QuerySet):
    def visible(self):
        """Documents follow what they support: visible once a linked record is published."""
        return self.filter(evaluations__visibility="published").distinct()


class Document(models.Model):
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    publisher = models.CharField(max_length=255, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True, validators=MONTH_VALIDATORS)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)
    source_url = models.CharField(max_length=1000, blank=True, validators=[http_url_validator])
    language = models.CharField(max_length=10, default="en")
    file = models.FileField(upload_to="documents/%Y/", blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    media_type = models.CharField(max_length=80, blank=True)
    text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the original content.")
    word_count = models.PositiveIntegerField(default=0)
    evaluations = models.ManyToManyField("registry.Evaluation", blank=True, related_name="documents")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def month_name(self):
        import calendar

        return calendar.month_name[self.month] if self.month else ""

    def get_absolute_url(self):
        return reverse("registry:document", kwargs={"pk": self.pk})
