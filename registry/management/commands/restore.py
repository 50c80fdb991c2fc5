from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from registry.backup import BackupError, read_manifest, restore_database, restore_media


class Command(BaseCommand):
    help = ("Replace this registry's database and uploaded files by a backup made with `manage.py backup`, "
            "then rebuild the search index. Stop the app servers first, or they may write in between.")

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A folder written by `manage.py backup`.")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, folder, interactive=True, **options):
        try:
            manifest = read_manifest(folder)
            if interactive and input(f"Replace this registry by the backup of {manifest['created']}? [y/N] ") != "y":
                raise CommandError("restore: cancelled")
            self.stdout.write(f"restore: database from {manifest['database']}")
            restore_database(folder, manifest)
            self.stdout.write(f"restore: {manifest['media_files']} uploaded file(s)")
            restore_media(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("restore: rebuilding the search index")
        call_command("rebuild_index", stdout=self.stdout, stderr=self.stderr)
        call_command("check_index", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(self.style.SUCCESS(f"restore: the registry is as it was at {manifest['created']}"))
