# The two commands a newcomer needs: `make run` and `make test`. Both are idempotent.
# Django 5.2 LTS runs on Python 3.10-3.13; the pins are tested on 3.11, so it is preferred, then the newer ones
# (Debian 13 and Ubuntu 24.04 ship 3.13 and 3.12 as python3).
SUPPORTED_PYTHON := 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))'
PYTHON ?= $(firstword $(foreach p,python3.11 python3.12 python3.13 python3.10 python3,\
	$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c $(SUPPORTED_PYTHON) 2>/dev/null && echo $(p))))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test test-postgres screenshots lint format setup messages record check-record clean-venv

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.10 to 3.13 is needed and none was found: install python3.11 (or set PYTHON=...)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "$(PYTHON) cannot make a virtual environment: install the package python3-venv (Debian, Ubuntu)"; exit 1; }
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
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
	$(PY) -m pytest --ignore=tests/browser
	@# The browser tests share one live server and its in-memory database connection, in a process of their own:
	@# after some orders of the rest of the suite, an admin save in them failed (see the closing note of issue 17).
	$(PY) -m pytest tests/browser

## The same suite on a throw-away PostgreSQL 15 server started for the run.
test-postgres: $(STAMP)
	bash scripts/with-postgres $(MAKE) test

## Every public page type in both languages, at desktop and phone width, as PNGs under test-artifacts/screenshots/
## for a person to look at (needs /usr/bin/chromium; not part of `make test`, which asserts what the pages show).
screenshots: $(STAMP) messages
	REQUIRE_BROWSER=1 $(PY) -m pytest -q tests/browser/screenshots.py

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
