"""A bounded load test on this machine: gunicorn on a loopback port, a fixed mix of
visitors' requests for a fixed time, records published meanwhile, then check_index.

    manage.py load_test --seconds 30 --workers 2 --clients 16

It serves the database and data folder this process is configured with, and publishes
records titled "Load test record …" into it: run it on a scratch copy (a restored backup),
not on the live registry. Requests go only to 127.0.0.1. The API's throttles are raised
for the run (all the load comes from one address); --keep-throttles leaves them as set.

Prints requests per second, p50/p95 per kind and overall, the non-2xx answers by code,
then check_index's verdict. Exits non-zero on any 5xx, failed request or index drift.
"""
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

STARTUP_SECONDS = 60
WORDS = ["evaluation", "outcome", "impact", "randomised", "children", "employment", "process", "survey",
         "qualitative", "RCT", "health", "education"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to count, not one to follow


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else 0.0


class Command(BaseCommand):
    help = "Load gunicorn on loopback for a fixed time with a mix of page and API requests while records are published."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10.0, help="How long to send requests (default 10).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2).")
        parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (default 8).")
        parser.add_argument("--publish-every", type=float, default=1.0,
                            help="Seconds between records published during the run (default 1; 0: none).")
        parser.add_argument("--keep-throttles", action="store_true", help="Keep the API's throttle rates as set.")

    def handle(self, *args, seconds, workers, clients, publish_every, keep_throttles, **options):
        if seconds <= 0 or seconds > 3600 or workers < 1 or clients < 1:
            raise CommandError("load_test: --seconds in (0, 3600], --workers and --clients at least 1")
        targets = self._targets()
        with tempfile.NamedTemporaryFile("w+", prefix="load-test-gunicorn-", suffix=".log") as log:
            server = self._start_gunicorn(workers, keep_throttles, log)
            try:
                url = self._wait_for_address(server, log)
                self._warm_up(url, workers)
                self.stdout.write(f"load_test: gunicorn at {url} with {workers} worker(s), {clients} client(s), "
                                  f"{seconds:g} s")
                results, published, publish_errors = self._run(url, targets, seconds, clients, publish_every)
            finally:
                self._stop(server)
        failed = self._report(results, seconds, published, publish_errors)
        try:
            call_command("check_index", stdout=self.stdout, stderr=self.stderr)
            drift = False
        except CommandError as error:
            self.stdout.write(f"load_test: index drift: {error}")
            drift = True
        if failed or drift or publish_errors:
            raise CommandError("load_test: server errors, failed requests, failed publishes or index drift (above)")

    # -- what to ask -------------------------------------------------------------------

    def _targets(self):
        from registry.models import Evaluation

        slugs = list(Evaluation.objects.filter(visibility="published").values_list("slug", flat=True)[:200])
        if not slugs:
            raise CommandError("load_test: no published records to ask for (run `manage.py seed` first)")
        return slugs

    @staticmethod
    def _request(rng, slugs):
        """(kind, path) of one visitor's request, from the mix below."""
        slug, word = rng.choice(slugs), rng.choice(WORDS)
        kind = rng.choices(["search", "browse", "record", "compare", "insights", "api"], [3, 2, 3, 1, 1, 3])[0]
        if kind == "search":
            return kind, "/search/?" + urllib.parse.urlencode({"q": word})
        if kind == "browse":
            return kind, rng.choice(["/evaluations/", "/evaluations/?sort=title", "/evaluations/?q=" + word,
                                     "/documents/", "/"])
        if kind == "record":
            return kind, f"/evaluations/{slug}/"
        if kind == "compare":
            pair = rng.sample(slugs, min(2, len(slugs)))
            return kind, "/compare/?" + urllib.parse.urlencode([("e", s) for s in pair])
        if kind == "insights":
            return kind, "/insights/"
        return kind, rng.choice([f"/api/v1/evaluations/{slug}/", "/api/v1/evaluations/",
                                 "/api/v1/search/?" + urllib.parse.urlencode({"q": word}), "/api/v1/findings/"])

    # -- gunicorn ----------------------------------------------------------------------

    def _start_gunicorn(self, workers, keep_throttles, log):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "registry.settings"),
               "REGISTRY_DATA_DIR": str(settings.REGISTRY_DATA_DIR)}
        if not keep_throttles:
            env.update(REGISTRY_API_THROTTLE_ANON="1000000/minute", REGISTRY_API_THROTTLE_USER="1000000/minute")
        return subprocess.Popen(
            [str(gunicorn), "registry.wsgi", "--bind", "127.0.0.1:0", "--workers", str(workers), "--timeout", "60",
             "--chdir", str(settings.BASE_DIR), "--error-logfile", "-"],
            env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
        )

    def _wait_for_address(self, process, log):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            log.seek(0)
            text = log.read()
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if found:
                return found.group(1)
            if process.poll() is not None:
                break
            time.sleep(0.1)
        raise CommandError(f"load_test: gunicorn did not start:\n{text}")

    @staticmethod
    def _warm_up(url, workers):
        """A few untimed requests first: a worker's first answer loads the code it needs."""
        for path in ("/", "/search/?q=evaluation", "/api/v1/evaluations/") * workers:
            try:
                request = urllib.request.Request(url + path, headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            except OSError:
                pass  # counted in the run itself, if it persists

    @staticmethod
    def _stop(process):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    # -- the run -----------------------------------------------------------------------

    def _run(self, url, slugs, seconds, clients, publish_every):
        results = []  # (kind, status, seconds); status 0 is a failed connection
        lock = threading.Lock()
        stop_at = None  # set when the clock starts, below
        opener = urllib.request.build_opener(_NoRedirect)
        # As the TLS proxy in front of production says (SECURE_PROXY_SSL_HEADER), so a run with
        # REGISTRY_ENV=production is served rather than redirected to https://.
        opener.addheaders = [("X-Forwarded-Proto", "https")]

        def visitor(n):
            rng = random.Random(n)
            while time.monotonic() < stop_at:
                kind, path = self._request(rng, slugs)
                started = time.perf_counter()
                try:
                    with opener.open(url + path, timeout=60) as response:
                        response.read()
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError:
                    status = 0
                with lock:
                    results.append((kind, status, time.perf_counter() - started))

        publisher = self._publisher() if publish_every > 0 else None  # accounts made before the clock starts
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=visitor, args=(n,), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        published, publish_errors = self._publish_until(publisher, stop_at, publish_every) if publisher else (0, [])
        for thread in threads:
            thread.join()
        return results, published, publish_errors

    @staticmethod
    def _publisher():
        """(author, moderator, department, design) for the records published during the run."""
        from registry.models import Department, DesignType
        from registry.services import accounts

        department = Department.objects.order_by("code").first()
        password = secrets.token_urlsafe(24)
        author, _ = accounts.save_account("load-test-author@example.invalid", role="contributor",
                                          password=password, department=department)
        moderator, _ = accounts.save_account("load-test-moderator@example.invalid", role="moderator",
                                             password=password)
        return author, moderator, department, DesignType.objects.get(code="process")

    def _publish_until(self, publisher, stop_at, every):
        """Records through the services a moderator's click uses: draft, submit, publish."""
        from registry.services import drafts, workflow

        author, moderator, department, design = publisher
        published, errors = 0, []
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                draft = drafts.create_record({
                    "title": f"Load test record {secrets.token_hex(4)}", "lead_department": department,
                    "stage": "ongoing", "summary": "A record published while the load test ran.",
                    "permission_to_share": True, "methods": {design: None}}, by=author)
                workflow.submit(draft, by=author)
                workflow.publish(draft, by=moderator)
                published += 1
            except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
                errors.append(f"{type(error).__name__}: {error}")
            time.sleep(max(0.0, min(every - (time.monotonic() - started), stop_at - time.monotonic())))
        connection.close()
        return published, errors

    # -- the report --------------------------------------------------------------------

    def _report(self, results, seconds, published, publish_errors):
        codes = Counter(status for _, status, _ in results)
        by_kind = defaultdict(list)
        for kind, _, took in results:
            by_kind[kind].append(took)
        everything = [took for _, _, took in results]
        self.stdout.write(f"{'kind':<10}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}")
        for kind in sorted(by_kind):
            times = by_kind[kind]
            self.stdout.write(f"{kind:<10}{len(times):>10}{percentile(times, .5) * 1000:>10.0f}"
                              f"{percentile(times, .95) * 1000:>10.0f}")
        non_2xx = ", ".join(f"{code or 'failed'}: {n}" for code, n in sorted(codes.items()) if not 200 <= code < 300)
        self.stdout.write(
            f"load_test: {len(results)} requests in {seconds:g} s = {len(results) / seconds:.1f}/s; "
            f"p50 {percentile(everything, .5) * 1000:.0f} ms, p95 {percentile(everything, .95) * 1000:.0f} ms; "
            f"non-2xx: {non_2xx or 'none'}; "
            f"{published} record(s) published")
        for error in publish_errors[:5]:
            self.stdout.write(f"load_test: publishing failed: {error}")
        return any(code == 0 or code >= 500 for code in codes)
