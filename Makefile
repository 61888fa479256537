# Two commands for a fresh clone (see README.md):
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up (if needed) and run the whole test suite
# Both create a virtual environment in .venv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WORKERS ?= 2

.PHONY: install lab test test-unit test-notebooks notebooks-clean notebooks-check clean-data

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

# Unit tests and every notebook (nbval), two at a time; prints the time per notebook.
test: install
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
