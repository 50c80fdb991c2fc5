"""Store the current state of published records that have no stored version yet
(published before versions were kept, or loaded by `seed`), so the API's
/versions/ lists at least the version each carries now. Safe to run again."""

from django.core.management.base import BaseCommand

from registry.services.versions import record_unversioned


class Command(BaseCommand):
    help = "Store the current version of published records that have none stored."

    def handle(self, *args, **options):
        stored = record_unversioned()
        self.stdout.write(f"stored the current version of {stored} published records that had none")
