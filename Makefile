# The two commands of the README:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install services clean

$(BIN)/archivist: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/archivist

## Set up and archive the bundled sample article on embedded defaults (no servers needed).
demo: install
	$(BIN)/archivist demo

## Set up, start the local services the tests need if they are down, and run the test suite.
test: install services
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 3 --dist worksteal $(PYTEST_ARGS)

services:
	@bash infra/local/ensure-services.sh

clean:
	rm -rf $(VENV) build *.egg-info
