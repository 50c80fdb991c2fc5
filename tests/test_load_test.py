"""`manage.py load_test` runs for the time asked against gunicorn on loopback, over a
fresh registry (its own SQLite file and data folder, made as a deployment makes them),
and reports its figures: no server error, records published, no index drift."""
import os
import re
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.test_app_servers import INHERITED_NOT

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_two_second_load_answers_without_errors_and_leaves_no_drift(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_NOT}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'registry.sqlite3'}", SECRET_KEY=secrets.token_urlsafe(50),
               REGISTRY_DATA_DIR=str(tmp_path / "data"))
    for step in (["migrate", "--no-input", "-v0"], ["seed"]):
        done = manage(*step, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    done = manage("load_test", "--seconds", "2", "--workers", "1", "--clients", "2", "--publish-every", "0.5", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = re.search(r"load_test: (\d+) requests in 2 s = ([\d.]+)/s; p50 \d+ ms, p95 \d+ ms; "
                        r"non-2xx: none; (\d+) record\(s\) published", done.stdout)
    assert summary, done.stdout
    assert int(summary.group(1)) > 0 and int(summary.group(3)) >= 1
    assert re.search(r"^kind\s+requests\s+p50 ms\s+p95 ms$", done.stdout, re.M), done.stdout
    assert re.search(r"check_index: \d+ item\(s\) indexed and up to date", done.stdout), done.stdout


def test_the_mix_asks_for_every_kind_of_page_and_the_api():
    """Two seconds on a busy machine may be a handful of requests; the mix itself is checked here."""
    import random

    from registry.management.commands.load_test import Command

    rng = random.Random(1)
    kinds = Counter(Command._request(rng, ["a", "b", "c"])[0] for _ in range(500))
    assert set(kinds) == {"search", "browse", "record", "compare", "insights", "api"}
