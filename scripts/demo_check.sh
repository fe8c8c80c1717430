#!/usr/bin/env bash
# Worked example A (domain section 12) from a fresh embedded database: load the demo (which enters
# the example's inputs through the product's services), compute, and print the results table.
set -euo pipefail
PY=${PY:-.venv/bin/python}
var=$(mktemp -d /tmp/kaoping-demo-check.XXXXXX)
trap 'rm -rf "$var"' EXIT
export KAOPING_VAR_DIR="$var"
unset DATABASE_URL REDIS_URL
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py demo >/dev/null
"$PY" manage.py compute_campaign --tenant demo --year 2026
"$PY" manage.py export_results --tenant demo --year 2026 --format table
