from django.apps import apps
from django.core.management.base import BaseCommand

from registry.seeding.records import load_records
from registry.seeding.vocabularies import load_vocabularies


class Command(BaseCommand):
    help = (
        "Load the reference vocabularies and the first records. Safe to run again: it changes nothing the second time."
    )

    def handle(self, *args, **options):
        for name, (created, updated) in load_vocabularies(apps).items():
            self.stdout.write(f"{name}: {created} created, {updated} updated")
        created = load_records()
        self.stdout.write(self.style.SUCCESS(f"seed: {created} record(s) created"))
