"""Accounts and API tokens: who may sign in, in which role and department, and
the one API token each user may hold."""
from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from registry.models import Department, Membership
from registry.permissions import CONTRIBUTORS, MODERATORS
from registry.services.base import User

ROLES = {"contributor": CONTRIBUTORS, "moderator": MODERATORS}


@transaction.atomic
def save_account(email: str, *, role: str, password: str, department: Department | None = None) -> tuple[User, bool]:
    """Create or update the account for `email` with this role (and department);
    returns (user, created). Django's password validators check the password
    first (ValidationError), so a refused password changes nothing."""
    model = get_user_model()
    user = model.objects.filter(username=email).first() or model(username=email, email=email)
    password_validation.validate_password(password, user)
    created = user.pk is None
    user.set_password(password)
    user.save()
    for name in ROLES.values():
        Group.objects.get_or_create(name=name)
    user.groups.add(Group.objects.get(name=ROLES[role]))
    if department is not None:
        set_membership(user, department)
    return user, created


@transaction.atomic
def set_membership(user: User, department: Department) -> Membership:
    """The user's department (co-editors are chosen from it)."""
    membership, _created = Membership.objects.update_or_create(user=user, defaults={"department": department})
    return membership


@transaction.atomic
def replace_token(user: User) -> Token:
    """A new API token for `user`; the old one, if any, stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def revoke_token(user: User) -> bool:
    """Remove the user's API token; False when there was none."""
    return Token.objects.filter(user=user).delete()[0] > 0
