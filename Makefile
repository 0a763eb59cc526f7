# Every target works on a fresh machine: the venv is made (and refreshed when the lock changes) on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test soak demo lint bench screenshots venv clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# Two test processes a core: most tests wait on HTTP, subprocesses or the database, so one a core left the
# cores half idle. Work stealing evens out the rest, and the tests marked `long` (the fuzzers, the convergence
# seeds, the process fleets) start first, one per process in turn, so none is left running alone at the end.
# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: without it each test process rewrote and
# compiled every test module again (collecting took 6.7 s of CPU instead of 3.6), and each subprocess a test
# starts compiled the sources again.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))

test: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal tests

# The convergence suite under many seeds (docs/reliability.md): SOAK_SEEDS seeds (20) from SOAK_FIRST_SEED (1),
# stopping once SOAK_SECONDS (900) have passed; needs PostgreSQL and Redis as the tests do.
soak: $(STAMP)
	$(BIN)/python -m tests.integration.convergence.soak

demo: $(STAMP)
	$(BIN)/fieldbridge demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy --strict src

# Every figure of docs/performance.md, end to end against the emulators (about 4 minutes on 2 idle cores; needs
# PostgreSQL and Redis as the tests do). BENCH_QUICK=1 for a quick run at small sizes; `python -m bench --json`.
bench: $(STAMP)
	$(BIN)/python -m bench

# The console's browser tests, writing each page's screenshot into docs/console/ (docs/console.md shows them).
screenshots: $(STAMP)
	FIELDBRIDGE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -n 2 tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
