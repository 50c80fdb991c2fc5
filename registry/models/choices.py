"""Choices shared by the models and the querysets that filter on them."""

from django.db import models


class Stage(models.TextChoices):
    PLANNED = "planned", "A planned evaluation"
    ONGOING = "ongoing", "An ongoing evaluation"
    COMPLETE = "complete", "A complete evaluation report"


class Visibility(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned for changes"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
