from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into a new folder (restore it with `manage.py restore`)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A new or empty folder to write the backup into.")

    def handle(self, *args, folder, **options):
        try:
            manifest = backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"backup: {manifest['vendor']} database ({manifest['database']}) and {manifest['media_files']} "
            f"uploaded file(s) written to {folder}"))
