"""Create (or update) a registry account with a role.

    manage.py create_user alex@example.gov.uk --role contributor --department department-for-education

The password is read from REGISTRY_USER_PASSWORD (or --password-env NAME), or
asked for twice; Django's password validators check it.
"""
import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from registry.models import Department
from registry.services.accounts import ROLES, save_account


class Command(BaseCommand):
    help = "Create or update a contributor or moderator account."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--department", help="Department code (contributors: needed to name co-editors).")
        parser.add_argument("--password-env", default="REGISTRY_USER_PASSWORD",
                            help="Environment variable holding the password (default: REGISTRY_USER_PASSWORD).")

    def handle(self, email, role, department=None, password_env="REGISTRY_USER_PASSWORD", **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email}: not an email address") from error
        dept = None
        if department:
            dept = Department.objects.filter(code=department).first()
            if dept is None:
                raise CommandError(f"{department}: no department has this code")
        password = os.environ.get(password_env) or self._ask_password()
        try:
            _user, created = save_account(email, role=role, password=password, department=dept)
        except ValidationError as error:
            raise CommandError("Password not accepted: " + " ".join(error.messages)) from error
        self.stdout.write(f"{'Created' if created else 'Updated'} {email}: {role}" + (f", {dept.name}" if dept else ""))

    def _ask_password(self):
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match")
        return first
