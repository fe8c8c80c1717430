# Kaoping: `make run` sets up and serves the demo; `make test` sets up and runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test system system-test node messages compose-check demo-check lint clean bench

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@echo "Kaoping on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: install-test
	PY=$(PY) scripts/run_tests.sh $(PYTEST_ARGS)

install: system $(VENV)/.installed node_modules/.installed messages
install-test: system-test $(VENV)/.installed node_modules/.installed messages

system:
	@scripts/ensure_system.sh run

system-test:
	@scripts/ensure_system.sh test

$(VENV)/.installed: pyproject.toml scripts/install_python.sh
	VENV=$(VENV) scripts/install_python.sh
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages:
	@python3 scripts/compile_messages.py -q

compose-check:
	@scripts/ensure_system.sh compose
	SECRET_KEY=check POSTGRES_PASSWORD=check docker-compose -f docker-compose.yml config -q
	@echo "docker-compose.yml is valid"

demo-check: install
	PY=$(PY) scripts/demo_check.sh

# Benchmark (docs/performance.md): PostgreSQL and Redis from DATABASE_URL / REDIS_URL, else the
# machine's at 127.0.0.1; BENCH_ARGS="--units 200 …" for a quick run.
bench: install-test
	$(PY) bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules var
