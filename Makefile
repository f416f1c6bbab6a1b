# citykg: `make serve` builds (when needed) and serves; `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
RELEASE ?= dist
HOST    ?= 127.0.0.1
PORT    ?= 8080
WHEELS  ?= dist-wheel

# what a release is built from: `make serve` rebuilds when one of them is newer than the release
BUILD_INPUTS := $(wildcard seeds/profiles/*) $(wildcard ontology/*.ttl) $(wildcard shapes/*.ttl) \
                $(wildcard kg/*.py) $(wildcard citykg/*.py)

DEMO    ?= dist-demo

.PHONY: all venv build serve demo test test-deps lint clean assets wheel

all: build

# The venv, quietly: pip's output goes to $(VENV)/install.log, shown (its end) only on failure.
$(BIN)/citykg: pyproject.toml
	@echo "· installing citykg and its test tools into $(VENV) (log: $(VENV)/install.log)"
	@$(PY) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test]'; } \
	  >$(VENV)/install.log 2>&1 || { rm -f $@; echo "pip install failed; the end of $(VENV)/install.log:" >&2; \
	  tail -n 25 $(VENV)/install.log >&2; exit 1; }
	@touch $@

venv: $(BIN)/citykg

$(RELEASE)/manifest.json: $(BIN)/citykg $(BUILD_INPUTS)
	$(BIN)/citykg build --seeds seeds --out $(RELEASE)

build: $(BIN)/citykg
	$(BIN)/citykg build --seeds seeds --out $(RELEASE)

serve: $(RELEASE)/manifest.json assets
	$(BIN)/citykg serve --release $(RELEASE) --host $(HOST) --port $(PORT)

# five clearly fictional cities (the test profiles), built into $(DEMO)/ and served: the cross-city
# views (compare, indicators across cities, shared themes) with more than the one real seed city
demo: $(BIN)/citykg assets
	$(BIN)/citykg build --seeds tests/data --out $(DEMO) --include demo/fictional-cities.ttl --quiet
	$(BIN)/citykg serve --release $(DEMO) --host $(HOST) --port $(PORT)

assets:
	@# YASGUI for /sparql, pinned in package.json + package-lock.json; copied into the
	@# git-ignored static folder, never committed, never loaded from a CDN. The dev dependencies
	@# @comunica/query-sparql (the Triple Pattern Fragments tests), axe-core (the browser tests) and vnu-jar (the Nu
	@# HTML checker) stay in node_modules/.
	@if [ ! -f server/static/vendor/yasgui/yasgui.min.js ] || [ package-lock.json -nt server/static/vendor/yasgui/yasgui.min.js ] \
	    || [ ! -x node_modules/.bin/comunica-sparql ] || [ ! -f node_modules/axe-core/axe.min.js ] \
	    || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then \
	  echo "· npm ci: YASGUI into server/static/vendor/yasgui/, Comunica, axe-core and the Nu checker for the tests" && \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
	  mkdir -p server/static/vendor/yasgui && \
	  cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css \
	     node_modules/@zazuko/yasgui/package.json server/static/vendor/yasgui/ ; \
	fi

# the wheel of a release: with the YASGUI build (assets), into $(WHEELS)/
wheel: $(BIN)/citykg assets
	@rm -rf $(WHEELS) build/lib build/bdist.* && mkdir -p $(WHEELS)
	@$(BIN)/python -m pip wheel --no-deps -w $(WHEELS) . >$(WHEELS)/build.log 2>&1 \
	  || { echo "wheel build failed; the end of $(WHEELS)/build.log:" >&2; tail -n 25 $(WHEELS)/build.log >&2; exit 1; }
	@ls $(WHEELS)/*.whl

# the Debian packages of the tests: installed when root with apt, else the command to run
test-deps:
	@.ci/install-test-deps

lint: $(BIN)/citykg
	$(BIN)/ruff check .

test: test-deps $(BIN)/citykg assets
	$(BIN)/ruff check .
	$(BIN)/pytest -q

clean:
	rm -rf $(RELEASE) $(DEMO) $(WHEELS) .pytest_cache
