# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test quick floors bench templates installer clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)  ## run a whole month on the bundled sample ledger
	$(BIN)/duban demo --out out/demo

test: $(STAMP)  ## the whole test suite
	$(BIN)/pytest -q

quick: $(STAMP)  ## the quick loop: everything but LibreOffice, hypothesis, subprocess and wheel tests, on every core
	$(BIN)/pytest -q -m "not slow" -n auto

floors:  ## the quick loop against the oldest versions pyproject.toml allows (needs uv)
	uv venv -q --python $(PYTHON) .venv-floors
	uv pip install -q --python .venv-floors/bin/python --resolution lowest-direct -e '.[test]'
	.venv-floors/bin/python -m pytest -q -m "not slow"

bench: $(STAMP)  ## speed and memory at 1k, 10k, 100k items (see benchmarks/)
	$(BIN)/python -m benchmarks.run

templates: $(STAMP)  ## rebuild the committed workbook and Word templates from code
	$(BIN)/python -m duban_xl.template workbook_templates/督查台账.xlsx
	$(BIN)/python -m duban_xl.docx_templates workbook_templates/
	$(BIN)/python -m duban_xl.xl_setup duban_xl/vba/  # the buttons' VBA from the pinned xlwings

installer: $(STAMP)  ## the Windows installer: make installer PYTHON_ZIP=python-3.11.9-embed-amd64.zip
	$(BIN)/python installer/build.py --python-zip $(PYTHON_ZIP)

clean:
	rm -rf $(VENV) .venv-floors out .pytest_cache
