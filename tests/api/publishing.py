"""Publishing through the real services, for the versions, change feed and
dump tests: a complete draft submitted and published, revisions of it, a
withdrawal. Nothing here writes a record's visibility by hand."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.models import Department, DesignType, Evaluation, EvaluationDesign, Finding, Membership
from registry.services import revisions, workflow
from tests.factories import EvaluationFactory


def moderator(username="mo@cabinetoffice.gov.uk", department="cabinet-office"):
    """A moderator whose username is a personal email address (as create_user makes them)."""
    user = get_user_model().objects.create_user(username=username, email=username, password="a-long-password-17")
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    Membership.objects.create(user=user, department=Department.objects.get(code=department))
    return user


def publish_new(by, *, title="Evaluation of tutoring", note=""):
    draft = EvaluationFactory(
        title=title, visibility="draft", stage="ongoing", summary="Tutoring raised attainment.",
        permission_to_share=True, owner=by,
    )
    EvaluationDesign.objects.create(evaluation=draft, design_type=DesignType.objects.get(code="impact"))
    Finding.objects.create(evaluation=draft, position=0, outcome="Attainment", effect_size=1, statement="Up.")
    workflow.submit(draft, by=by)
    return workflow.publish(draft, by=by, note=note)


def publish_revision(record, by, *, note="", findings=None, **fields):
    """Change a published record through a revision (a draft copy), as the website does."""
    # As the website does, from the record as stored now (a revision copies what it is given).
    copy = revisions.start_revision(Evaluation.objects.get(pk=record.pk), by=by)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    if findings is not None:
        copy.findings.all().delete()
        for position, outcome in enumerate(findings):
            Finding.objects.create(evaluation=copy, position=position, outcome=outcome, statement="Changed.")
    # The editor's change note; the moderator's `note` (when given) replaces it on the version.
    workflow.submit(copy, by=by, change_note="Changed by a test")
    return workflow.publish(copy, by=by, note=note)
