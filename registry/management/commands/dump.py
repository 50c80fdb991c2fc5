"""Write the whole public registry as CSV and JSON Lines with checksums (registry/dumps.py).

    python manage.py dump DIR --base-url https://evaluation-registry.example
    python manage.py dump DIR --bench 10000

--bench loads that many synthetic published records (as bench_api does),
times the dump of the whole registry, prints it, and removes them again.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from registry.dumps import write_dump

BENCH_TARGET_SECONDS = 60


class Command(BaseCommand):
    help = "Write the public registry (records, findings, documents' metadata) as CSV and JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder to write into (made if missing; its dump files are replaced).")
        parser.add_argument(
            "--base-url", default="http://localhost:8000",
            help="The site's address, for the records' links (default http://localhost:8000).",
        )
        parser.add_argument("--bench", type=int, metavar="N", help="Time a dump with N synthetic records added.")

    def handle(self, *args, **options):
        base_url = options["base_url"]
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        if options["bench"] is not None:
            return self.bench(options["directory"], base_url, options["bench"])
        started = time.monotonic()
        try:
            manifest = write_dump(options["directory"], base_url=base_url)
        except OSError as error:
            raise CommandError(f"Could not write the dump: {error}") from error
        self.summary(manifest, time.monotonic() - started, options["directory"])

    def summary(self, manifest, seconds, directory):
        for item in manifest["files"]:
            self.stdout.write(f"{item['name']}: {item['items']} items, {item['bytes']} bytes, sha256 {item['sha256']}")
        counts = manifest["counts"]
        self.stdout.write(
            f"dumped {counts['records']} records, {counts['findings']} findings and {counts['documents']} documents "
            f"(snapshot {manifest['snapshot_at']}) to {directory} in {seconds:.1f}s"
        )

    def bench(self, directory, base_url, n):
        from registry.management.commands.bench_api import Command as BenchApi

        if n < 1:
            raise CommandError("--bench must be at least 1.")
        loader = BenchApi(stdout=self.stdout, stderr=self.stderr)
        loader.remove_records()
        ids = loader.load(n)
        self.stdout.write(f"loaded {len(ids)} synthetic records")
        try:
            started = time.monotonic()
            manifest = write_dump(directory, base_url=base_url)
            seconds = time.monotonic() - started
        finally:
            loader.remove_records(ids)
        self.summary(manifest, seconds, directory)
        verdict = "within" if seconds < BENCH_TARGET_SECONDS else "OVER"
        self.stdout.write(f"bench: {manifest['counts']['records']} records dumped in {seconds:.1f}s "
                          f"({verdict} the {BENCH_TARGET_SECONDS}s target)")
        if seconds >= BENCH_TARGET_SECONDS:
            raise CommandError(f"The dump took {seconds:.1f}s, over the {BENCH_TARGET_SECONDS}s target.")
