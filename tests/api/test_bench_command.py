"""Smoke test of `manage.py bench_api`: a small N against a throwaway SQLite
file (gunicorn runs in other processes, so it needs a database it can open)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_api_reports_latency_for_each_scenario(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-smoke",
        "REGISTRY_DATA_DIR": str(tmp_path / "data"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    result = subprocess.run(
        [*manage, "bench_api", "--evaluations", "25", "--duration", "0.5", "--concurrency", "2", "--workers", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for scenario in ("list", "bare DRF", "filtered list", "detail", "search"):
        row = next(line for line in lines if line.startswith(f"{scenario} ") and "requests" not in line)
        requests, errors, rps, p50, p95 = row[len(scenario) :].split()
        assert int(requests) > 0 and int(errors) == 0 and float(p95) >= float(p50) > 0
    assert "list/bare DRF:" in result.stdout
    assert "removed 25 synthetic evaluations" in result.stdout
