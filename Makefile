# Teranga — see README.md. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test lint messages bench bench-install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

run: install
	TERANGA_ENV=dev $(BIN)/pybabel -q compile -d locale -D django
	TERANGA_ENV=dev $(BIN)/python manage.py migrate --no-input -v0
	# The demo network and, at every site, six months of synthetic history (days already
	# filled are kept) so that the quality demo's campaigns are scored from data.
	TERANGA_ENV=dev $(BIN)/python manage.py seed_demo --history-days 183
	# The worker sends queued SMS (to var/sms.jsonl in dev) while the server runs.
	TERANGA_ENV=dev $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	TERANGA_ENV=dev $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TERANGA_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run -v0

test: lint
	TERANGA_ENV=test $(BIN)/pybabel -q compile -d locale -D django
	TERANGA_ENV=test $(BIN)/pytest

# Regenerate the translation catalogs after changing a string, then translate fr and wo.
messages: install
	TERANGA_ENV=dev $(BIN)/python manage.py makemessages -l fr -l wo -l en --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
