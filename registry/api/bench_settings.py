"""Settings for `manage.py bench_api`'s gunicorn only: the production settings
with a urlconf that adds the benchmark's baseline view. Production never loads
this module, so the baseline route exists only while the benchmark runs."""

from registry.settings import *  # noqa: F401,F403

ROOT_URLCONF = "registry.api.bench_urls"
