# The README names these targets. Everything installs into .venv from the pinned lock file.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= website.settings.dev

.PHONY: run setup install migrate demo serve test lint format lock bench clean

## run: set up everything (venv, packages, database, demo content, demo users) and start the site + worker
run: setup serve

## setup: everything `run` does except starting the servers
setup: install migrate demo

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' \
		|| { echo "Set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	mkdir -p var media
	$(PY) manage.py compile_catalogues
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_demo

## serve: the web server on $(HOST):$(PORT) and the background task worker beside it
serve:
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker & worker=$$!; \
	echo "Site: http://$(HOST):$(PORT)/  Admin: http://$(HOST):$(PORT)/admin/  (worker pid $$worker)"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: lint, then the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: install
	$(PY) manage.py compile_catalogues
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest --ds=website.settings.test $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## lock: re-resolve the ranges in pyproject.toml into requirements.lock
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet --upgrade pip
	$(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > .lockvenv/requirements.in
	.lockvenv/bin/pip install --quiet -r .lockvenv/requirements.in
	.lockvenv/bin/pip freeze --exclude pip --exclude setuptools > requirements.lock
	rm -rf .lockvenv

bench: install
	$(PY) bench/pages.py
	$(PY) bench/import.py
	$(PY) bench/compose.py
	$(PY) bench/send.py
	$(PY) bench/clicks.py
	$(PY) bench/admin.py
	$(PY) bench/rspamd.py

clean:
	rm -rf $(VENV) var
