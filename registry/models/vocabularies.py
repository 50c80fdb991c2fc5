"""Controlled vocabularies: departments, the design-type tree, policy areas,
organisations, programmes and places.

The first four are loaded from the reference CSVs in fixtures/vocabularies by a
data migration (and refreshed by `manage.py seed`); programmes and places grow
as records name them.
"""

from django.db import models
from django.urls import reverse


class Department(models.Model):
    """A department or public body that can lead or join an evaluation."""

    code = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=255)
    parent_group = models.CharField(max_length=120, blank=True, help_text="Upper-case group key from the source.")
    gov_id = models.SlugField(max_length=120, blank=True, help_text="GOV.UK organisation slug.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def govuk_url(self):
        return f"https://www.gov.uk/government/organisations/{self.gov_id}" if self.gov_id else ""


class DesignTypeQuerySet(models.QuerySet):
    def types(self):
        return self.filter(parent__isnull=True)

    def codes_with_descendants(self, codes):
        """Codes of the given nodes and everything under them (the tree is three levels deep)."""
        rows = list(self.values_list("code", "parent__code", "parent__parent__code"))
        wanted = set(codes)
        return {code for code, parent, grandparent in rows if {code, parent, grandparent} & wanted}


class DesignType(models.Model):
    """One node of the evaluation design tree.

    Roots are evaluation types (impact, process, value for money, other);
    their descendants are methods. "Other" nodes collect a free-text description.
    """

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    collect_description = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0, help_text="Order within the source tree.")
    added_by_registry = models.BooleanField(
        default=False, help_text="Not in the public registry's tree; added for methods the sources need."
    )

    objects = DesignTypeQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = "design type or method"

    def __str__(self):
        if self.collect_description and self.parent_id:
            return f"Other ({self.parent.name})"
        return self.name

    @property
    def is_type(self):
        return self.parent_id is None


class MethodSynonym(models.Model):
    """A way researchers write a method or term (acronym, spelling), kept as data."""

    term = models.CharField(max_length=120)
    design_type = models.ForeignKey(
        DesignType, null=True, blank=True, on_delete=models.CASCADE, related_name="synonyms"
    )
    expansion = models.CharField(max_length=200, help_text="The words the term stands for.")

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["term", "expansion"], name="unique_synonym")]

    def __str__(self):
        return f"{self.term} ↔ {self.expansion}"


class PolicyArea(models.Model):
    """A GOV.UK topic, two levels deep."""

    code = models.CharField(max_length=200, unique=True)
    display = models.CharField(max_length=255, help_text="GOV.UK's internal taxon name.")
    label = models.CharField(max_length=255, help_text="The name shown to people.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    @property
    def govuk_url(self):
        return f"https://www.gov.uk/{self.code}"


class Organisation(models.Model):
    """An organisation with a role on evaluations: GOV.UK organisations, or plain
    ones (evaluators such as Ecorys, delivery partners)."""

    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=255)
    is_govuk = models.BooleanField(default=False, help_text="Listed on GOV.UK's organisations page.")
    format = models.CharField(max_length=100, blank=True)
    govuk_status = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def govuk_url(self):
        return f"https://www.gov.uk/government/organisations/{self.slug}" if self.is_govuk else ""


class Programme(models.Model):
    """A programme that funds or groups evaluations."""

    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=255, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:browse") + f"?programme={self.slug}"


class Place(models.Model):
    """A place an evaluation covers (a local authority area, region or nation)."""

    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=255, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
