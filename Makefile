# citykg: `make serve` builds (when needed) and serves; `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
RELEASE ?= dist
HOST    ?= 127.0.0.1
PORT    ?= 8080

.PHONY: all venv build serve test lint clean assets

all: build

$(BIN)/citykg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/citykg

$(RELEASE)/manifest.json: $(BIN)/citykg $(wildcard seeds/profiles/*) $(wildcard ontology/*.ttl) $(wildcard shapes/*.ttl) $(wildcard kg/*.py)
	$(BIN)/citykg build --seeds seeds --out $(RELEASE)

build: $(BIN)/citykg
	$(BIN)/citykg build --seeds seeds --out $(RELEASE)

serve: $(RELEASE)/manifest.json assets
	$(BIN)/citykg serve --release $(RELEASE) --host $(HOST) --port $(PORT)

assets:
	@# YASGUI for /sparql, pinned in package.json + package-lock.json; copied into the
	@# git-ignored static folder, never committed, never loaded from a CDN.
	@if [ ! -f server/static/vendor/yasgui/yasgui.min.js ] || [ package-lock.json -nt server/static/vendor/yasgui/yasgui.min.js ]; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
	  mkdir -p server/static/vendor/yasgui && \
	  cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css \
	     node_modules/@zazuko/yasgui/package.json server/static/vendor/yasgui/ ; \
	fi

lint: $(BIN)/citykg
	$(BIN)/ruff check .

test: $(BIN)/citykg assets
	$(BIN)/ruff check .
	$(BIN)/pytest -q

clean:
	rm -rf $(RELEASE) .pytest_cache
