#!/usr/bin/env bash
# Install the Debian packages Kaoping needs, or stop with the exact line to run.
#   scripts/ensure_system.sh run    packages to serve the app (WeasyPrint, CJK font, venv, npm)
#   scripts/ensure_system.sh test   and those for the suite (Chromium, poppler, PostgreSQL, Redis)
set -euo pipefail
purpose=${1:-run}

need=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei)
python3 -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "$purpose" = test ]; then
  need+=(chromium poppler-utils)
  [ -n "${DATABASE_URL:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
fi
if [ "$purpose" = compose ]; then
  need=(docker-compose)
fi

missing=()
for pkg in "${need[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Kaoping needs Debian packages that are not installed. Run, then try again:" >&2
  echo "  sudo apt-get update && sudo $line" >&2
  exit 1
fi
