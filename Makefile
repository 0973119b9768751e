# On a fresh machine with python3 and make:
#   make demo   set up .venv, build the graph of the shipped corpus, validate it, answer a query
#   make check  set up .venv with the test extras, run the linters and the fast tests (< 1 min)
#   make test   the same with every test, slow ones included (and the Debian packages they need)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Pinned versions of everything installed, build tools included (see constraints.txt).
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo check test lint bench clean system-deps

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { echo "Error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv (apt-get install python3-venv) and run make again." >&2; exit 1; }

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/kg build corpus/ --store kg-store
	$(BIN)/kg validate --store kg-store
	$(BIN)/kg query report-summary --store kg-store --format table

# Chromium + ChromeDriver (browser test of kg serve's page) and Virtuoso (remote-store tests).
system-deps:
	@bash scripts/system-deps.sh

# Lint and the tests not marked slow: the habit before each commit.
check: $(VENV)/.installed-test
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q -m "not slow"

test: $(VENV)/.installed-test system-deps
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check kg tests benchmarks scripts
	$(BIN)/mypy

bench: $(VENV)/.installed-test system-deps
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_tag.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_query.py
	$(BIN)/python benchmarks/bench_executors.py
	$(BIN)/python benchmarks/bench_remote.py

clean:
	rm -rf $(VENV) kg-store .pytest_cache .mypy_cache .ruff_cache
