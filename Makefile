# Two entry points for a fresh machine with only python3 and make: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= $(or $(SKEINO_PORT),2024)

.PHONY: serve test e2e lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/skeino serve examples/langgraph.json --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -W error -c "import skeino, conformance"
	$(BIN)/python -m pytest -q
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		cd tests/js && npm ci --no-audit --no-fund --loglevel=error && \
		SKEINO_PYTHON=$(CURDIR)/$(BIN)/python npm test --silent; \
	else \
		echo "JS client tests skipped: node and npm are not installed"; \
	fi

# The browser tests in headless Chromium (Debian's `chromium`, driven by playwright-core):
# the console (tests/e2e), then useStream from @langchain/react (tests/e2e/usestream).
e2e: $(STAMP)
	@command -v $(or $(CHROMIUM),chromium) >/dev/null 2>&1 || \
		{ echo "make e2e needs Chromium: apt-get install -y chromium (or set CHROMIUM)"; exit 1; }
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && \
		CHROMIUM=$$(command -v $(or $(CHROMIUM),chromium)) \
		SKEINO_PYTHON=$(CURDIR)/$(BIN)/python npm test --silent
	cd tests/e2e/usestream && npm ci --no-audit --no-fund --loglevel=error && \
		CHROMIUM=$$(command -v $(or $(CHROMIUM),chromium)) \
		SKEINO_PYTHON=$(CURDIR)/$(BIN)/python npm test --silent

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .skeino .pytest_cache .hypothesis
