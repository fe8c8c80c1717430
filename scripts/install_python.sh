#!/usr/bin/env bash
# Create .venv and install the dependencies named in pyproject.toml (with the dev extras).
set -euo pipefail
venv=${VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
reqs=$(mktemp)
"$venv/bin/python" - "$reqs" <<'PY'
import sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = project["dependencies"] + project["optional-dependencies"]["dev"]
open(sys.argv[1], "w").write("\n".join(deps) + "\n")
PY
"$venv/bin/python" -m pip install -q -r "$reqs"
rm -f "$reqs"
