"""Querysets for the registry's models: the one place that says which records a
reader may see and what a detail read prefetches."""

from django.db import models

from registry.models.choices import Visibility


class EvaluationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(visibility=Visibility.PUBLISHED)
