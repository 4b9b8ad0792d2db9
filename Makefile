# The two commands a newcomer needs: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test test-postgres lint format setup messages record check-record clean-venv

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP) messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_record
	$(PY) manage.py collectstatic --noinput --verbosity 0

## Run the site on http://127.0.0.1:8000 (SQLite by default; set DATABASE_URL for another database).
run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

## A production-style serve: nginx in front of gunicorn on http://127.0.0.1:8000 (set DEBUG=0 and SECRET_KEY).
serve: setup
	bash scripts/serve

## Lint and the whole test suite on the configured database (SQLite unless DATABASE_URL says otherwise).
test: $(STAMP) lint messages
	$(PY) -m pytest

## The same suite on a throw-away PostgreSQL 15 server started for the run.
test-postgres: $(STAMP)
	bash scripts/with-postgres $(MAKE) test

## The Russian translation, compiled from locale/ru/LC_MESSAGES/django.po (needs GNU gettext's msgfmt).
messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=bench --verbosity 0

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-record: $(STAMP)
	$(PY) manage.py check_record

clean-venv:
	rm -rf $(VENV)
