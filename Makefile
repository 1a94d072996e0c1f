# Two commands for a fresh machine:  `make chat`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BABEL := $(VENV)/bin/pybabel
PYTHON ?= python3
# Durations from python-telegram-bot as timedelta (its future default; no warnings).
export PTB_TIMEDELTA := true

.PHONY: setup catalogs chat test lint messages check-catalogs bench mutants clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

## Compile the translation catalogs (.po -> .mo); .mo files are built, never committed.
catalogs: setup
	$(BABEL) compile -d locales -D messages --statistics

## Start the local chat with the bot (emulated Telegram, SQLite under ./data/).
chat: catalogs
	$(VENV)/bin/desmigratif chat

## Run the whole suite (SQLite; set TEST_DATABASE_URL for PostgreSQL too).
test: catalogs
	$(PY) -m pytest -q -n auto

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## After changing user-facing strings: extract, merge into id/jv/en, then translate.
messages: setup
	$(BABEL) extract -F babel.cfg -k pgettext:1c,2 -k N_ --add-comments=TRANSLATORS: \
		--no-location --sort-output --width=96 --project=desmigratif -o locales/messages.pot .
	$(BABEL) update -i locales/messages.pot -d locales -D messages \
		--width=96 --ignore-obsolete --no-fuzzy-matching
	$(PY) -m bot.catalogs fill-en
	$(PY) -m bot.catalogs check || true

check-catalogs: setup
	$(PY) -m bot.catalogs check

bench: catalogs
	$(PY) bench/updates.py

## Mutation score of the modules where a bug harms people most (minutes; not in CI).
mutants: catalogs
	$(PY) bench/mutants.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache mutants mutants-work
	find locales -name '*.mo' -delete
