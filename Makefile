# postmortem-kb: one entry point. Needs only Python 3.10+ and make.
#   make serve   set everything up, then serve the sample knowledge base
#   make build   set everything up, then build it into site/ (--strict)
#   make test    set everything up, then run the whole test suite
#   make bench   benchmark N = 1,000 / 5,000 / 10,000 synthetic postmortems (BENCHMARKS.md)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build check test clean bench browser

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

test: setup browser
	$(BIN)/python -m pytest

# The browser tests drive Debian's chromium through Playwright (never a browser
# Playwright downloads). Installed from apt when missing: as root, or with sudo.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else echo "chromium is missing and cannot be installed (not root, no sudo): the browser tests will be skipped"; fi

# BENCH_ARGS="--sizes 1000 --repeat 5" for other sizes; see benchmarks/run.py --help.
bench: setup
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf site .pytest_cache .hypothesis
