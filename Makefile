# Two commands: `make run` starts the platform with the demo city; `make test` runs the tests.
# Both create the virtual environment in .venv/ from pyproject.toml and requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL for the second run of the suite (CI has it; elsewhere it is skipped if absent).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres lint format browser-deps

$(BIN)/hotline: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/hotline
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

# Browser tests drive Debian's Chromium; screenshots need a CJK font to show Chinese.
# Installed from Debian's packages (as root, or with sudo) when missing.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null; }; \
	fi

run: $(BIN)/hotline
	$(BIN)/hotline serve $(ARGS)

test: $(VENV)/.test-deps browser-deps lint test-sqlite test-postgres

lint: $(VENV)/.test-deps
	$(BIN)/ruff check hotline nlp tests benchmarks
	$(BIN)/ruff format --check hotline nlp tests benchmarks

test-sqlite: $(VENV)/.test-deps
	$(BIN)/pytest -n 2 -q

test-postgres: $(VENV)/.test-deps
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n 2 -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL), and CI must test on it"; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL run (nothing listens at $(TEST_DATABASE_URL); set TEST_DATABASE_URL)"; \
	fi

format: $(VENV)/.test-deps
	$(BIN)/ruff check --fix hotline nlp tests benchmarks
	$(BIN)/ruff format hotline nlp tests benchmarks
