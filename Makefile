# The two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Reinstall whenever the dependency list changes.
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint system-deps clean backup restore

run: $(INSTALLED) .env
	$(PY) scripts/run_dev.py

# The Python install and the system packages download side by side; then lint, then the suite,
# with one worker more than the cores (the workers spend part of their time waiting on
# PostgreSQL, the browser and subprocesses).
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

test: .env
	@$(MAKE) --no-print-directory -j2 $(INSTALLED) system-deps
	@$(MAKE) --no-print-directory lint
	$(PY) -m pytest -n $(WORKERS)

# makemigrations loads the settings, which refuse to start without a SECRET_KEY unless DEBUG is
# on. Checking migrations needs no deployment's values, and lint must work before any .env exists.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Operating it (README "Operating it"): a backup folder under ./backups, and its restore into an
# empty database (BACKUP=backups/ips-YYYYMMDD-HHMMSS).
backup: $(INSTALLED) .env
	$(PY) manage.py backup --to backups

restore: $(INSTALLED) .env
	@test -n "$(BACKUP)" || (echo "Say which: make restore BACKUP=backups/ips-YYYYMMDD-HHMMSS" && exit 2)
	$(PY) manage.py restore "$(BACKUP)"

system-deps:
	@scripts/install_system_deps.sh

$(PY):
	$(PYTHON) -m venv $(VENV)

# uv installs the same packages as pip in a fraction of the time; pip remains the fallback. The
# bytecode is compiled at install (as pip does), or every process of the first run would compile
# the same modules at once.
$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv \
		&& $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e '.[dev]' \
		|| $(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

.env:
	cp .env.example .env

clean:
	rm -rf $(VENV) staticfiles .pytest_cache db.sqlite3 .celerybeat-schedule
