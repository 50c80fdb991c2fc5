from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

from registry import models


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent_group", "gov_id"]
    search_fields = ["name", "code"]


@admin.register(models.DesignType)
class DesignTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "collect_description", "added_by_registry"]
    list_filter = ["parent", "added_by_registry"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]


@admin.register(models.MethodSynonym)
class MethodSynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "expansion", "design_type"]
    search_fields = ["term", "expansion"]
    list_select_related = ["design_type"]


@admin.register(models.PolicyArea)
class PolicyAreaAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "parent"]
    search_fields = ["label", "code"]
    list_select_related = ["parent"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_govuk", "format", "govuk_status"]
    list_filter = ["is_govuk", "govuk_status"]
    search_fields = ["name", "slug"]


@admin.register(models.Programme, models.Place)
class NamedAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class DesignInline(admin.TabularInline):
    model = models.EvaluationDesign
    extra = 0
    autocomplete_fields = ["design_type"]


class OrganisationInline(admin.TabularInline):
    model = models.EvaluationOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


class EventDateInline(admin.TabularInline):
    model = models.EventDate
    extra = 0


class LinkInline(admin.TabularInline):
    model = models.Link
    extra = 0


class FindingInline(admin.StackedInline):
    model = models.Finding
    extra = 0
    autocomplete_fields = ["source_document"]


@admin.register(models.Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "lead_department", "stage", "visibility", "updated_at"]
    list_filter = ["visibility", "stage"]
    search_fields = ["title", "slug"]
    list_select_related = ["lead_department"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_department", "other_departments", "programme", "places", "policy_areas", "owner"]
    inlines = [DesignInline, OrganisationInline, EventDateInline, LinkInline, FindingInline]


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "year", "media_type", "word_count"]
    list_filter = ["kind"]
    search_fields = ["title"]
    autocomplete_fields = ["evaluations"]
    readonly_fields = ["content_hash", "word_count", "media_type"]


class MembershipInline(admin.StackedInline):
    model = models.Membership
    can_delete = True
    autocomplete_fields = ["department"]
    verbose_name_plural = "Registry department"


class RegistryUserAdmin(UserAdmin):
    """Django's user admin, with the department a contributor belongs to."""

    inlines = [*UserAdmin.inlines, MembershipInline]


admin.site.unregister(User)
admin.site.register(User, RegistryUserAdmin)


@admin.register(models.Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["evaluation", "step_reached", "submitted_at", "reviewed_at", "reviewed_by"]
    list_select_related = ["evaluation", "reviewed_by"]
    raw_id_fields = ["evaluation", "revision_of"]
    filter_horizontal = ["co_editors"]
