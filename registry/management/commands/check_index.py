from django.core.management.base import BaseCommand, CommandError

from registry.search import get_backend, meaning


class Command(BaseCommand):
    help = "Compare the search index with the database; exits non-zero when they have drifted apart."

    def handle(self, *args, **options):
        backend = get_backend()
        expected = backend.expected_versions()
        indexed = backend.indexed_versions()
        missing = sorted(k for k in expected if k not in indexed)
        stale = sorted(k for k in expected if k in indexed and indexed[k] != expected[k])
        extra = sorted(k for k in indexed if k not in expected)
        # Meaning-based retrieval's vectors (one per published record and per visible
        # document), when it is on.
        no_vector, stray_vector = [], []
        for kind in (meaning.KIND, meaning.DOCUMENT):
            wanted = {pk for k, pk in expected if k == kind}
            vectors = meaning.stored_ids(kind) if meaning.enabled() else wanted
            no_vector += [(kind, pk) for pk in sorted(wanted - vectors)]
            stray_vector += [(kind, pk) for pk in sorted(vectors - wanted)]
        for label, keys in (("missing from the index", missing), ("stale in the index", stale),
                            ("in the index but not published", extra), ("without a meaning vector", no_vector),
                            ("has a meaning vector but is not shown", stray_vector)):
            for kind, pk in keys:
                self.stdout.write(f"{kind} {pk}: {label}")
        if missing or stale or extra or no_vector or stray_vector:
            raise CommandError(
                f"check_index: {len(missing)} missing, {len(stale)} stale, {len(extra)} extra, "
                f"{len(no_vector) + len(stray_vector)} meaning vector(s) out of step; run `manage.py rebuild_index`."
            )
        self.stdout.write(self.style.SUCCESS(f"check_index: {len(expected)} item(s) indexed and up to date"))
