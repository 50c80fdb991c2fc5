"""What the share-an-evaluation journey needs beside a record: who belongs to
which department, where a contributor stopped, who may co-edit, and pending
revisions of published records.

A revision is a draft copy of the published record (an ordinary Evaluation
row, never visible to visitors) pointing at the original through
`Submission.revision_of`. The journey edits the copy exactly as it edits a new
draft; publishing the copy applies its content onto the original, so the
published version stays visible, keeps its URL and gains one version.
"""
from django.conf import settings
from django.db import models


class Membership(models.Model):
    """A contributor's department: co-editors must come from it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry_membership")
    department = models.ForeignKey("registry.Department", on_delete=models.PROTECT, related_name="members")

    def __str__(self):
        return f"{self.user} ({self.department})"


class Submission(models.Model):
    """The journey's state for one record (a draft, a submission or a revision)."""

    evaluation = models.OneToOneField("registry.Evaluation", on_delete=models.CASCADE, related_name="submission")
    step_reached = models.CharField(max_length=40, blank=True, help_text="The journey step to return to.")
    co_editors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="co_edited_submissions")
    revision_of = models.OneToOneField(
        "registry.Evaluation", null=True, blank=True, on_delete=models.CASCADE, related_name="pending_revision",
        help_text="For a revision: the published record it will replace when published.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_note = models.TextField(
        blank=True, help_text="For a revision: what its editor says has changed, kept with the version it publishes.",
    )

    def __str__(self):
        return f"Submission of {self.evaluation_id}"
