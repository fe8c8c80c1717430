"""Settings of the benchmark: the product's, plus the bench-only app and URL (/bench/insert/)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.minimal"]
ROOT_URLCONF = "bench.urls"
