# Two commands matter: `make demo` and `make test`. Both create .venv and install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/fazhi demo --out demo-output

test: install
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check .

# Leaves out the tests marked slow (whole crawls, real servers): under two minutes on 2 cores.
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"
	$(BIN)/ruff check .

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf demo-output .pytest_cache
