# Two commands for a fresh clone (see README.md):
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up (if needed), lint, and run the whole test suite
# Both create a virtual environment in .venv on first use.
# For instructors (README, "For instructors"):
#   make course          run every notebook, report time, peak memory, key metrics
#   make mirror          build an offline data folder for lab machines
#   make browser-check   open a notebook in headless Chromium and check its widget

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WORKERS ?= 2

.PHONY: install lab lint test test-unit test-notebooks notebooks-clean notebooks-check clean-data \
	course mirror browser-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	touch $(STAMP)

install: $(STAMP)

# Extra options for JupyterLab, e.g. make lab LAB_ARGS="--no-browser --port 8890".
LAB_ARGS ?=
ROOT_ARG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_ARG) $(LAB_ARGS)

# Lint and format check (ruff, configured in pyproject.toml): seconds, so `make test` runs it first.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Unit tests and every notebook (nbval), two at a time; prints the time per notebook.
test: install lint
	$(BIN)/python -m pytest tests notebooks -n $(WORKERS) --dist loadscope \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=900 \
		--nbval-sanitize-with tests/sanitize.cfg --durations=10

test-unit: install
	$(BIN)/python -m pytest tests -n $(WORKERS)

test-notebooks: install
	$(BIN)/python -m pytest notebooks -n $(WORKERS) --dist loadscope \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=900 --nbval-sanitize-with tests/sanitize.cfg

# Strip outputs (except the ones nbval checks) and execution counts; then check.
notebooks-clean: install
	$(BIN)/python -m tools.notebooks clean
notebooks-check: install
	$(BIN)/python -m tools.notebooks check

# Delete everything the course downloaded into data/ (keeps data/README.md).
clean-data:
	find data -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

# ----------------------------------------------------------------- for instructors

# Run every notebook in a fresh kernel and write build/course/<profile>/report.md
# (and .json, executed copies, HTML). E.g. make course PROFILE=fast NOTEBOOKS="01 02"
PROFILE ?= $(or $(COURSE_PROFILE),full)
NOTEBOOKS ?=
course: install
	$(BIN)/python -m tools.course --profile $(PROFILE) $(NOTEBOOKS)

# Download the course data from the official addresses, verify it and write an
# offline folder to copy to lab machines (COURSE_DATA_DIR). E.g. make mirror MIRROR=/srv/course-data
MIRROR ?= build/course-data
MIRROR_ARGS ?=
mirror: install
	$(BIN)/python -m helpers.mirror build $(MIRROR) $(MIRROR_ARGS)

# JupyterLab in headless Chromium: run a notebook with a widget, check that the widget
# rendered and nothing failed; screenshot in build/browser-check/. Needs Debian's chromium
# (sudo apt-get install chromium) or CHROMIUM=/path/to/chrome; no browser is downloaded.
CHROMIUM ?= $(firstword $(shell command -v chromium chromium-browser google-chrome 2>/dev/null) /usr/bin/chromium)
BROWSER_STAMP := $(VENV)/.browser-installed-stamp
$(BROWSER_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab,test,browser]"
	touch $(BROWSER_STAMP)

browser-check: $(BROWSER_STAMP)
	@test -x "$(CHROMIUM)" || { echo "No Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium)" \
		"or name it: make browser-check CHROMIUM=/path/to/chromium"; exit 1; }
	COURSE_BROWSER_CHECK=1 COURSE_CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest tests/browser -v -rP -p no:cacheprovider
