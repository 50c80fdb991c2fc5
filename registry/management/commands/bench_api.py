"""Benchmark the API under load: load N synthetic records, start gunicorn on
loopback, drive it with a small threaded HTTP client for a bounded time per
scenario, and print p50/p95 latency and requests per second.

    python manage.py bench_api --evaluations 10000 --duration 10

Besides list, detail and search it measures a baseline in the same run: a bare
DRF view returning the list's 20 rows as plain dicts (`.values()`, no
serializer), and prints the list's requests per second against it. gunicorn
runs with `registry.api.bench_settings`, whose urlconf adds that view; the
production urlconf never has it.

The synthetic records (slugs starting `bench-`) are removed afterwards unless
--keep is given. The load generator is standard library only (threads and
http.client): no wrk, no extra packages.
"""

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, transaction

from registry.models import (
    Department,
    DesignType,
    Document,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Place,
)

PREFIX = "bench-"
WORDS = [
    "employment",
    "skills",
    "housing",
    "health",
    "schools",
    "reoffending",
    "transport",
    "energy",
    "childcare",
    "wellbeing",
    "apprenticeships",
    "homelessness",
    "digital",
    "climate",
    "literacy",
    "mentoring",
]
BATCH = 1000


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Load synthetic evaluations, serve them with gunicorn and measure API latency and throughput."

    def add_arguments(self, parser):
        parser.add_argument("--evaluations", type=int, default=1000, help="Synthetic records to load (default 1000).")
        parser.add_argument("--duration", type=float, default=5.0, help="Seconds of load per scenario (default 5).")
        parser.add_argument("--concurrency", type=int, default=8, help="Client threads (default 8).")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4).")
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic records afterwards.")
        parser.add_argument("--no-index", action="store_true", help="Do not add the records to the search index.")

    def handle(self, *args, **options):
        n = options["evaluations"]
        if n < 1 or options["duration"] <= 0 or options["concurrency"] < 1:
            raise CommandError("--evaluations, --duration and --concurrency must be positive.")
        self.remove_records()
        started = time.monotonic()
        ids = self.load(n)
        self.stdout.write(f"loaded {len(ids)} evaluations in {time.monotonic() - started:.1f}s")
        if not options["no_index"]:
            started = time.monotonic()
            if self.index(ids):
                self.stdout.write(f"indexed them in {time.monotonic() - started:.1f}s")
        self.settle()
        server = None
        try:
            server, base = self.start_server(options["workers"])
            results = [self.run_scenario(name, paths, base, options) for name, paths in self.scenarios(n)]
            self.report(results, options)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if not options["keep"]:
                self.remove_records(ids)
        failed = sum(r["errors"] for r in results)
        total = sum(r["requests"] for r in results)
        if total == 0 or failed > total * 0.01:
            raise CommandError(f"{failed} of {total} requests failed")

    # Data ---------------------------------------------------------------------

    @staticmethod
    def settle():
        """VACUUM ANALYZE on PostgreSQL: the state autovacuum reaches within a minute
        of a bulk load, so the timing starts from a registry in its steady state
        (planner statistics, index-only scans without heap fetches), not from the
        minute after 10,000 rows arrived at once."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    @transaction.atomic
    def load(self, n):
        """Bulk inserts: no per-row signals, so loading 10,000 records takes seconds."""
        departments = list(Department.objects.order_by("code")[:40])
        designs = list(
            DesignType.objects.filter(code__in=["impact", "rct", "process", "quasi_experimental", "economic"])
        )
        place, _ = Place.objects.get_or_create(slug=f"{PREFIX}place", defaults={"name": "Benchmark place"})
        rng = random.Random(42)
        evaluations = [
            Evaluation(
                slug=f"{PREFIX}{i}",
                title=f"Benchmark evaluation {i}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                summary=" ".join(rng.choice(WORDS) for _ in range(60)),
                stage=rng.choice(["planned", "ongoing", "complete"]),
                visibility="published",
                lead_department=departments[i % len(departments)],
            )
            for i in range(n)
        ]
        Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
        ids = list(Evaluation.objects.filter(slug__startswith=PREFIX).values_list("id", flat=True))
        through = Evaluation.other_departments.through
        places = Evaluation.places.through
        rows = {EvaluationDesign: [], EventDate: [], Link: [], Finding: [], through: [], places: []}
        for n_row, pk in enumerate(ids):
            for design in rng.sample(designs, 3):
                rows[EvaluationDesign].append(EvaluationDesign(evaluation_id=pk, design_type=design))
            for year in (2018 + n_row % 5, 2022):
                rows[EventDate].append(EventDate(evaluation_id=pk, category="evaluation_start", year=year, month=4))
            rows[Link].append(Link(evaluation_id=pk, kind="report", url=f"https://example.org/bench/{pk}"))
            for position in range(2):
                rows[Finding].append(
                    Finding(
                        evaluation_id=pk,
                        position=position,
                        outcome=f"{rng.choice(WORDS)} outcome",
                        effect_size=rng.uniform(-10, 10),
                        effect_unit="percentage points",
                        statement="A synthetic finding.",
                    )
                )
            rows[through].append(
                through(evaluation_id=pk, department_id=departments[(n_row + 7) % len(departments)].id)
            )
            rows[places].append(places(evaluation_id=pk, place_id=place.id))
        for model, objects in rows.items():
            model.objects.bulk_create(objects, batch_size=BATCH)
        return ids

    def index(self, ids):
        try:
            from registry.search import get_backend

            get_backend().index_evaluations(ids)
            return True
        except Exception as exc:  # noqa: BLE001 - the benchmark still measures the rest
            self.stderr.write(f"search index not updated ({exc}); the search figures cover what is already indexed")
            return False

    def remove_records(self, ids=None):
        """Raw deletes: the synthetic rows were bulk-inserted without history or
        index signals, so they leave the same way (10,000 records in seconds)."""
        queryset = Evaluation.objects.filter(slug__startswith=PREFIX)
        ids = ids or list(queryset.values_list("id", flat=True))
        if not ids:
            return
        related = [
            EvaluationDesign,
            EventDate,
            Link,
            Finding,
            EvaluationOrganisation,
            Evaluation.other_departments.through,
            Evaluation.places.through,
            Evaluation.policy_areas.through,
            Document.evaluations.through,
        ]
        with transaction.atomic():
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                for model in related:
                    model.objects.filter(evaluation_id__in=chunk)._raw_delete(DEFAULT_DB_ALIAS)
                Evaluation.objects.filter(id__in=chunk)._raw_delete(DEFAULT_DB_ALIAS)
            Place.objects.filter(slug=f"{PREFIX}place").delete()
        try:
            from registry.search import get_backend

            get_backend().remove("evaluation", ids)
        except Exception:  # noqa: BLE001 - nothing indexed, nothing to remove
            pass
        self.stdout.write(f"removed {len(ids)} synthetic evaluations")

    # Server and load -----------------------------------------------------------

    def start_server(self, workers):
        port = free_port()
        env = {
            **os.environ,
            "REGISTRY_API_THROTTLE_ANON": "100000000/minute",
            "REGISTRY_API_THROTTLE_USER": "100000000/minute",
            "REGISTRY_DATA_DIR": str(settings.REGISTRY_DATA_DIR),
            # The production settings plus the baseline's route (registry/api/bench_urls.py).
            "DJANGO_SETTINGS_MODULE": "registry.api.bench_settings",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "registry.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ]
        server = subprocess.Popen(command, cwd=str(settings.BASE_DIR), env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited with status {server.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/")
                if connection.getresponse().status == 200:
                    connection.close()
                    self.stdout.write(f"gunicorn serving on 127.0.0.1:{port} with {workers} workers")
                    return server, ("127.0.0.1", port)
            except OSError:
                time.sleep(0.2)
        server.terminate()
        raise CommandError("gunicorn did not answer within 60 seconds")

    def scenarios(self, n):
        rng = random.Random(7)
        code = Department.objects.order_by("code").values_list("code", flat=True)[3]
        pages = range(1, max(1, min(5, n // 20)) + 1)
        return [
            ("list", [f"/api/v1/evaluations/?page={p}" for p in pages]),
            ("bare DRF", [f"/api/v1/bench/bare/?page={p}" for p in pages]),
            (
                "filtered list",
                [
                    f"/api/v1/evaluations/?department={code}&method=impact&year_from=2019&stage={s}"
                    for s in ("planned", "ongoing", "complete")
                ],
            ),
            ("detail", [f"/api/v1/evaluations/{PREFIX}{rng.randrange(n)}/" for _ in range(200)]),
            ("search", [f"/api/v1/search/?q={word}" for word in WORDS]),
        ]

    def run_scenario(self, name, paths, address, options):
        latencies, errors, lock = [], [0], threading.Lock()
        deadline = time.monotonic() + options["duration"]

        def worker(seed):
            rng = random.Random(seed)
            connection = http.client.HTTPConnection(*address, timeout=30)
            mine, failed = [], 0
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    connection.request("GET", rng.choice(paths), headers={"Accept": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        failed += 1
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                except (OSError, http.client.HTTPException):
                    failed += 1
                    connection.close()
                mine.append(time.perf_counter() - started)
            connection.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

        began = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(options["concurrency"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        result = {"name": name, "requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed}
        result["p50"] = statistics.median(latencies) * 1000 if latencies else 0
        result["p95"] = percentile(latencies, 0.95) * 1000 if latencies else 0
        self.stdout.write(f"{name}: {result['requests']} requests")
        return result

    def report(self, results, options):
        self.stdout.write(f"\nconcurrency {options['concurrency']}, {options['duration']:g}s per scenario")
        self.stdout.write(f"{'scenario':<15}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
        for r in results:
            self.stdout.write(
                f"{r['name']:<15}{r['requests']:>10}{r['errors']:>8}{r['rps']:>10.1f}{r['p50']:>10.1f}{r['p95']:>10.1f}"
            )
        by_name = {r["name"]: r for r in results}
        if by_name.get("bare DRF", {}).get("rps"):
            ratio = by_name["list"]["rps"] / by_name["bare DRF"]["rps"]
            self.stdout.write(f"list/bare DRF: {ratio:.2f} of the bare view's requests per second")
        total = sum(r["requests"] for r in results)
        self.stdout.write(
            self.style.SUCCESS(f"bench_api: {total} requests, {sum(r['errors'] for r in results)} errors")
        )
