# mlnotes: the two commands of the README, and their parts.
#
#   make book   set up .venv, execute every chapter and build the site into _build/html
#   make test   set up .venv, then unit + structural + property tests, nbval on every notebook
#               and the book build with warnings as errors (one pytest run, two workers)
#
# Separate commands (not tests: timings move with the machine):
#   make chapter CH=<slug>   one chapter: its notebook under nbval, its property tests, its
#                            structure tests
#   make bench               speed targets and cold run times -> benchmarks/results.md
#   make mutation            mutation score of every chapter -> benchmarks/mutation-score.md
#
# Both create the virtual environment themselves on a fresh machine (Python >= 3.11 as
# `python3`, or pass PYTHON=/path/to/python3.x).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOK_SOURCES := $(shell find notebooks -name '*.md' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: book test setup browser notebooks serve lint clean chapter chapters bench mutation

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "mlnotes needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@$(MAKE) --no-print-directory browser
	touch $@

# The browser test drives Debian's chromium (Playwright's own browser download cannot work
# offline). Installed here when we are root on Debian/Ubuntu; otherwise the test says how.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: chromium is not installed; the browser test will be skipped" \
	         "(sudo apt-get install chromium)"; \
	  fi; }

# The .ipynb pairs are generated from the MyST sources (and git-ignored).
notebooks: $(STAMP)
	$(BIN)/jupytext --quiet --to ipynb $(NOTEBOOK_SOURCES)

# One BLAS thread, as in `make test`: the chapters print speed ratios, and a thread pool
# fighting the two cores would make them say something else.
book: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/jupyter-book build .
	@echo "Open _build/html/index.html, or run 'make serve' and visit http://localhost:8000"

# Notebook kernels inherit PYTHONWARNINGS, so any numpy RuntimeWarning fails its cell. Two
# pytest workers share the two cores, so BLAS runs single-threaded to keep timings honest.
test: notebooks
	PYTHONWARNINGS=error::RuntimeWarning \
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax -p no:cacheprovider \
		tests $(NOTEBOOK_SOURCES:.md=.ipynb)

# One chapter's tests, e.g. `make chapter CH=lbfgs` (HYPOTHESIS_PROFILE=thorough for more cases).
CH_MD = $(shell find notebooks -name '$(CH).md')
chapter: $(STAMP)
	@test -n "$(CH_MD)" || { echo "no chapter '$(CH)' (give CH=<slug>)"; exit 2; }
	$(BIN)/jupytext --quiet --to ipynb $(CH_MD)
	PYTHONWARNINGS=error::RuntimeWarning OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax $(CH_MD:.md=.ipynb) \
		$(wildcard tests/chapters/test_$(subst -,_,$(CH)).py)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_structure.py -k "$(CH)"

# Regenerate the README chapter table and the intro map from _toc.yml (and, with
# RUNTIMES=1, the run time in each chapter header from the last book build).
chapters: $(STAMP)
	$(BIN)/python tests/chapter_list.py $(if $(RUNTIMES),--runtimes)

bench: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python benchmarks/run.py

mutation: $(STAMP)
	$(BIN)/python benchmarks/mutation.py

serve:
	$(BIN)/python -m http.server --directory _build/html 8000

lint: $(STAMP)
	$(BIN)/ruff check mlnotes_helpers tests benchmarks
	$(BIN)/ruff format --check mlnotes_helpers tests benchmarks

clean:
	rm -rf _build
	find notebooks -name '*.ipynb' -delete
