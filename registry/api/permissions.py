"""Who may change a record through the API: the same rules as the forms
(registry.permissions), so a token can do no more than its user's browser."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from registry import permissions


def can_edit_evaluation(user, evaluation):
    """Owners and co-editors while the record is a draft or returned; moderators also while submitted."""
    from registry.models import Submission

    co_editor_ids = set(Submission.objects.filter(evaluation=evaluation).values_list("co_editors", flat=True))
    return permissions.can_edit(user, evaluation, co_editor_ids)


class IsContributorToCreate(BasePermission):
    message = "Only contributors and moderators can create records."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.is_contributor(request.user)


class CanEditEvaluation(BasePermission):
    message = (
        "You can change only records you own or co-edit, and only while they are drafts or returned for changes;"
        " a published record changes through a revision on the website."
    )

    def has_object_permission(self, request, view, obj):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return can_edit_evaluation(request.user, obj)
