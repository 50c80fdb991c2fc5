"""Published versions of a record, kept whole so the API can serve any of them.

The record's history (django-simple-history) keeps each table's rows apart;
putting a past version back together from nine history tables would have to
repeat every rule of the public representation. So publishing stores the
representation itself (registry.representation, site-relative addresses), the
version's major/minor number, who published it as a role, and the change note.
"""
from django.db import models


class ChangeKind(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class PublishedVersion(models.Model):
    evaluation = models.ForeignKey(
        "registry.Evaluation", on_delete=models.CASCADE, related_name="published_versions"
    )
    number = models.PositiveIntegerField(help_text="The record's version number when this was published.")
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    published_at = models.DateTimeField()
    published_by = models.CharField(
        max_length=255, help_text="A role and department, as visitors may read it; never a person's name or address."
    )
    change_note = models.TextField(blank=True)
    changed_fields = models.JSONField(default=list, help_text="Top-level fields that differ from the version before.")
    record = models.JSONField(help_text="The record as the API represented it then, with site-relative addresses.")

    class Meta:
        ordering = ["evaluation_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="published_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.evaluation_id} v{self.label}"

    @property
    def label(self):
        """ "2.1": major changes count up the first number, wording the second."""
        return f"{self.major}.{self.minor}"
