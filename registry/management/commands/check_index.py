from django.core.management.base import BaseCommand, CommandError

from registry.search import get_backend


class Command(BaseCommand):
    help = "Compare the search index with the database; exits non-zero when they have drifted apart."

    def handle(self, *args, **options):
        backend = get_backend()
        expected = backend.expected_versions()
        indexed = backend.indexed_versions()
        missing = sorted(k for k in expected if k not in indexed)
        stale = sorted(k for k in expected if k in indexed and indexed[k] != expected[k])
        extra = sorted(k for k in indexed if k not in expected)
        for label, keys in (("missing from the index", missing), ("stale in the index", stale),
                            ("in the index but not published", extra)):
            for kind, pk in keys:
                self.stdout.write(f"{kind} {pk}: {label}")
        if missing or stale or extra:
            raise CommandError(
                f"check_index: {len(missing)} missing, {len(stale)} stale, {len(extra)} extra; "
                "run `manage.py rebuild_index`."
            )
        self.stdout.write(self.style.SUCCESS(f"check_index: {len(expected)} item(s) indexed and up to date"))
