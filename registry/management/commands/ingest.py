from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.ingest import UnreadableDocument
from registry.ingest.extractors import MEDIA_TYPES
from registry.models import Evaluation
from registry.services.documents import add_document


def walk(paths):
    """(path, given) for each file: named files as given, folders walked (hidden files skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child, False
        else:
            yield path, True


class Command(BaseCommand):
    help = "Add documents (PDF, Markdown, HTML, text) from files or folders to the knowledge base."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders (folders are walked).")
        parser.add_argument("--evaluation", help="Slug of the record the documents support.")
        parser.add_argument("--kind", default="report", help="Kind of document (default: report).")

    def handle(self, *args, paths, evaluation=None, kind="report", **options):
        evaluations = []
        if evaluation:
            found = Evaluation.objects.filter(slug=evaluation).first()
            if found is None:
                raise CommandError(f"No record has the slug {evaluation!r}.")
            evaluations = [found]
        files = list(walk(paths))
        created = duplicates = skipped = 0
        failures = []
        for path, given in tqdm(files, unit="file", desc="Ingesting", file=self.stderr._out,
                                disable=options.get("verbosity", 1) < 1):
            if not given and path.suffix.lower() not in MEDIA_TYPES:
                skipped += 1
                tqdm.write(f"skipped {path}: not a document type we read", file=self.stdout._out)
                continue
            try:
                data = path.read_bytes()
                _, new = add_document(data, path.name, evaluations=evaluations, kind=kind)
            except FileNotFoundError:
                failures.append(f"{path}: no such file")
            except OSError as error:
                failures.append(f"{path}: cannot be read ({error.strerror or error})")
            except UnreadableDocument as error:
                failures.append(f"{path}: {error}")
            except ValidationError as error:
                failures.append(f"{path}: {'; '.join(error.messages)}")
            else:
                created += new
                duplicates += not new
        for failure in failures:
            self.stderr.write(f"unreadable {failure}")
        summary = (f"ingest: {created} added, {duplicates} already stored, {skipped} skipped, "
                   f"{len(failures)} unreadable")
        if failures:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
