# postmortem-kb: one entry point. Needs only Python 3.10+ and make.
#   make serve   set everything up, then serve the sample knowledge base
#   make build   set everything up, then build it into site/ (--strict)
#   make test    set everything up, then run the whole test suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build check test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP)

serve: setup
	$(BIN)/mkdocs serve

build: setup
	$(BIN)/mkdocs build --strict

check: setup
	$(BIN)/postmortem check

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf site .pytest_cache .hypothesis
