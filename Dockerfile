# Production image: web (gunicorn), worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 KAOPING_PRODUCTION=true KAOPING_VAR_DIR=/app/var

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-wqy-microhei npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml package.json package-lock.json scripts/install_python.sh ./
RUN python - <<'PY' > /tmp/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
RUN pip install --no-cache-dir -r /tmp/requirements.txt && npm ci --no-audit --no-fund --omit=dev

COPY . .
RUN python scripts/compile_messages.py -q \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && useradd --system --home /app kaoping && mkdir -p /app/var/media && chown -R kaoping /app/var
USER kaoping

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
