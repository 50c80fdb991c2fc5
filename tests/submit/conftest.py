"""Accounts for each role, made as `manage.py create_user` makes them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.models import Department, Membership

PASSWORD = "a-long-test-passphrase-42"
DFE = "department-for-education"
OTHER_DEPARTMENT = "ministry-of-justice"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real password checks, without spending a second per account on key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, role=None, department=None):
    user = get_user_model().objects.create_user(username=username, email=username, password=PASSWORD)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if department:
        Membership.objects.create(user=user, department=Department.objects.get(code=department))
    return user


@pytest.fixture
def contributor(db):
    return make_user("alex@education.gov.uk", "Contributors", DFE)


@pytest.fixture
def colleague(db):
    return make_user("sam@education.gov.uk", "Contributors", DFE)


@pytest.fixture
def outsider(db):
    """A contributor in another department."""
    return make_user("jo@justice.gov.uk", "Contributors", OTHER_DEPARTMENT)


@pytest.fixture
def moderator(db):
    return make_user("mo@cabinetoffice.gov.uk", "Moderators")


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
