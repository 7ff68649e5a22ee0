# mlnotes: the two commands of the README, and their parts.
#
#   make book   set up .venv, execute every chapter and build the site into _build/html
#   make test   set up .venv, then unit + structural tests, nbval on every notebook and the
#               book build with warnings as errors (one pytest run, two workers)
#
# Both create the virtual environment themselves on a fresh machine (Python >= 3.11 as
# `python3`, or pass PYTHON=/path/to/python3.x).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOK_SOURCES := $(shell find notebooks -name '*.md' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: book test setup notebooks serve lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "mlnotes needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The .ipynb pairs are generated from the MyST sources (and git-ignored).
notebooks: $(STAMP)
	$(BIN)/jupytext --quiet --to ipynb $(NOTEBOOK_SOURCES)

book: $(STAMP)
	$(BIN)/jupyter-book build .
	@echo "Open _build/html/index.html, or run 'make serve' and visit http://localhost:8000"

# Notebook kernels inherit PYTHONWARNINGS, so any numpy RuntimeWarning fails its cell. Two
# pytest workers share the two cores, so BLAS runs single-threaded to keep timings honest.
test: notebooks
	PYTHONWARNINGS=error::RuntimeWarning \
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax -p no:cacheprovider \
		tests $(NOTEBOOK_SOURCES:.md=.ipynb)

serve:
	$(BIN)/python -m http.server --directory _build/html 8000

lint: $(STAMP)
	$(BIN)/ruff check mlnotes_helpers tests
	$(BIN)/ruff format --check mlnotes_helpers tests

clean:
	rm -rf _build
	find notebooks -name '*.ipynb' -delete
