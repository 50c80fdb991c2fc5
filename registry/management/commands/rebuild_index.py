import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.search import entries, get_backend


class Command(BaseCommand):
    help = "Rebuild the search index from the database (published records and their documents)."

    def add_arguments(self, parser):
        parser.add_argument("--procs", type=int, default=2, help="Indexing processes (default: 2, both cores).")

    def handle(self, *args, procs=2, **options):
        n_evaluations, n_documents = entries.count_entries()
        started = time.monotonic()
        with tqdm(total=n_evaluations + n_documents, unit="item", desc="Indexing", file=self.stderr._out,
                  disable=options.get("verbosity", 1) < 1) as bar:
            try:
                count = get_backend().rebuild(progress=lambda kind, pk: bar.update(1), procs=procs)
            except Exception as error:  # noqa: BLE001
                raise CommandError(f"rebuild_index failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"rebuild_index: {count} item(s) indexed ({n_evaluations} evaluations, {n_documents} documents) "
            f"in {time.monotonic() - started:.1f}s"
        ))
