# Two commands for a fresh clone (see README.md):
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up (if needed), lint, and run the whole test suite
# Both create a virtual environment in .venv on first use, with the exact versions
# of requirements-lock.txt (the ones the tests passed on).
# For instructors (docs/instructors.md):
#   make course          run every notebook, report time, peak memory, key metrics
#   make runs            the README's run times and docs/runs/index.md, from docs/runs/*.json
#   make mirror          build an offline data folder for lab machines
#   make browser-check   open a notebook in headless Chromium and check its widget
#   make book            the course as a static site, from the executed notebooks
#   make book-check      open every page of that site in headless Chromium
# For maintainers (docs/maintainers.md):
#   make test-colab      the fast suite on Colab's package versions, in .venv-colab
#   make lock            refresh requirements-lock.txt after changing pyproject.toml

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WORKERS ?= 2
LOCK := requirements-lock.txt
# uv writes the lock (`make lock`) and installs it; pinned, so it does both the same way each time.
UV_VERSION := 0.13.9
UV := build/uv/bin/uv

.PHONY: install lab lint test test-unit test-notebooks notebooks-clean notebooks-check clean-data \
	course runs mirror browser-check book book-check test-colab lock

# The locked versions, each checked against its hash, then the course itself (editable).
# uv (see `make lock`) installs them: it downloads in parallel and reuses its cache on later
# runs; --compile-bytecode compiles the modules at install, as pip does, so that kernels do not.
# Plain pip installs the same file: pip install --require-hashes -r requirements-lock.txt.
$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(PYTHON) -m venv $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python --require-hashes --compile-bytecode -r $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m pip check
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

# The test suite runs in the fast profile (helpers/profile.py), whatever COURSE_PROFILE a learner
# has set for JupyterLab: small subsets and a few epochs, so that it takes minutes. The full
# profile, as learners run the notebooks, is `make course` (its time on a 2-core CPU: the
# README's course map).
TEST_PROFILE := fast
TEST_ENV := COURSE_PROFILE=$(TEST_PROFILE)

# Unit tests and every notebook (nbval), two at a time; prints the time per notebook.
test: install lint
	$(TEST_ENV) $(BIN)/python -m pytest tests notebooks -n $(WORKERS) --dist loadscope \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=900 \
		--nbval-sanitize-with tests/sanitize.cfg --durations=10

test-unit: install
	$(TEST_ENV) $(BIN)/python -m pytest tests -n $(WORKERS)

test-notebooks: install
	$(TEST_ENV) $(BIN)/python -m pytest notebooks -n $(WORKERS) --dist loadscope \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=900 --nbval-sanitize-with tests/sanitize.cfg

# Strip outputs (except the ones nbval checks) and execution counts; then check.
notebooks-clean: install
	$(BIN)/python -m tools.notebooks clean
notebooks-check: install
	$(BIN)/python -m tools.notebooks check

# Delete everything the course downloaded into data/ (keeps data/README.md).
clean-data:
	find data -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

# ----------------------------------------------------------------- environments

# The lock: requirements-lock.txt, written by `uv pip compile` from pyproject.toml (the
# course package with its `lab` and `test` extras). A requirements file with exact versions
# and the hash of every file: plain pip installs it (--require-hashes), on Linux, macOS and
# Windows, from Python 3.11 on, one version of each package for all of them. uv is needed
# only to write it; its version is pinned so the lock is written the same way each time.
# `make lock` keeps the locked versions that still fit pyproject.toml (after adding or
# changing a dependency); `make lock LOCK_ARGS=--upgrade` moves everything to the newest
# versions. Then run `make test` and commit the lock with the change.
LOCK_ARGS ?=
$(UV):
	$(PYTHON) -m venv build/uv
	build/uv/bin/python -m pip install --quiet uv==$(UV_VERSION)

lock: $(UV)
	$(UV) pip compile pyproject.toml --extra lab --extra test --universal \
		--python-version 3.11 --fork-strategy fewest --generate-hashes \
		--custom-compile-command "make lock" --quiet $(LOCK_ARGS) -o $(LOCK)

# The course on Colab's versions. colab/pip-freeze.txt is the package list Google
# publishes for Colab's runtime; without its lines that pip cannot use here (local builds
# `+cu128`, direct URLs `@`) it constrains a second virtual environment, .venv-colab, to
# Colab's version of every package that the course, its kernel and its widgets use (uv
# fills it: it downloads in parallel and keeps what it downloaded for the next run). The
# course goes in the way the notebooks' first cell installs it on Colab, with Colab's pip
# and --no-deps; then the fast suite runs: unit tests and every notebook. Colab runs
# Python 3.13: this uses python3.13 where the machine has one, otherwise $(PYTHON)
# (docs/maintainers.md, "Tested environments").
COLAB_VENV ?= .venv-colab
COLAB_BIN := $(COLAB_VENV)/bin
COLAB_STAMP := $(COLAB_VENV)/.installed-stamp
COLAB_PYTHON ?= $(firstword $(foreach p,python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(PYTHON),\
	$(shell $(p) -c "import sys; print(sys.executable)" 2>/dev/null)))
# Colab's packages the course touches, and the test tools (pip and pytest are Colab's too).
COLAB_PACKAGES := tensorflow keras tensorflow-datasets numpy matplotlib seaborn pandas pillow scipy \
	scikit-learn tqdm ipywidgets ipykernel ipython pip pytest pytest-xdist nbval nbformat nbclient
$(COLAB_STAMP): colab/pip-freeze.txt | $(UV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	grep -v -E '^[[:space:]]*(#|$$)|@|\+' colab/pip-freeze.txt > $(COLAB_VENV)/constraints.txt
	$(UV) pip install --quiet --compile-bytecode --python $(COLAB_BIN)/python -c $(COLAB_VENV)/constraints.txt $(COLAB_PACKAGES)
	touch $(COLAB_STAMP)

# Left out here, so that CI (both suites) stays within 20 minutes; `make test` runs them: the
# checkers of the two "reach X" exercises (05 q4, 07 q5), which train a model per test, and the
# ImageNet path of notebook 12 with generated weight files (2 to 2.5 minutes on one worker).
COLAB_DESELECT ?= not reach_x and not nb05.q4 and not nb07.q5 and not imagenet_path
test-colab: $(COLAB_STAMP)
	$(COLAB_BIN)/python -m pip install --quiet --no-deps --force-reinstall .
	$(COLAB_BIN)/python -m pip check
	$(TEST_ENV) PYDEVD_DISABLE_FILE_VALIDATION=1 $(COLAB_BIN)/python -m pytest tests notebooks -n $(WORKERS) --dist loadscope \
		-k "$(COLAB_DESELECT)" --nbval-lax --nbval-current-env --nbval-cell-timeout=900 \
		--nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider --durations=5

# ----------------------------------------------------------------- for instructors

# Run every notebook in a fresh kernel and write build/course/<profile>/report.md
# (and .json, executed copies, HTML). E.g. make course PROFILE=fast NOTEBOOKS="01 02"
PROFILE ?= $(or $(COURSE_PROFILE),full)
NOTEBOOKS ?=
course: install
	$(BIN)/python -m tools.course --profile $(PROFILE) $(NOTEBOOKS)

# The README's course map (its run times) and the book's page docs/runs/index.md, written from
# the reports in docs/runs/ (python -m tools.runs publish adds one; docs/instructors.md,
# "Publish a reference run"). The tests check that they agree (tests/test_runs.py).
runs: install
	$(BIN)/python -m tools.runs render

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
	COURSE_BROWSER_CHECK=1 COURSE_CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest tests/browser/test_jupyterlab.py \
		-v -rP -p no:cacheprovider

# ----------------------------------------------------------------- the course as a book

# A static site (Sphinx with MyST-NB) from the executed notebooks that `make course` writes to
# build/course/<profile>/ (or `make test` with COURSE_SAVE_EXECUTED): nothing runs again. The
# full profile's copies when all are there, otherwise the fast profile's; PROFILE=fast or
# PROFILE=full chooses. The site, in build/book/html/, works without internet. MathJax comes
# from the npm registry (needs npm, or COURSE_MATHJAX; docs/maintainers.md).
BOOK_STAMP := $(VENV)/.book-installed-stamp
$(BOOK_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab,test,browser,book]"
	touch $(BOOK_STAMP) $(BROWSER_STAMP)

BOOK_PROFILE := $(if $(filter command line environment,$(origin PROFILE)),--profile $(PROFILE))
book: $(BOOK_STAMP)
	$(BIN)/python -m tools.book $(BOOK_PROFILE)

# Every page of the book in headless Chromium (tests/browser/test_book.py): nothing fails to
# load, every link within the site resolves, every image loads, the math is typeset, each
# notebook's page links to Colab. Prints the counts; screenshots in build/book-check/.
book-check: $(BOOK_STAMP)
	@test -x "$(CHROMIUM)" || { echo "No Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium)" \
		"or name it: make book-check CHROMIUM=/path/to/chromium"; exit 1; }
	COURSE_BROWSER_CHECK=1 COURSE_CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest tests/browser/test_book.py \
		-v -rP -p no:cacheprovider
