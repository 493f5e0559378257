# RouteRisk: `make demo` and `make test` set up a fresh Debian machine, build and run.
SWIFT ?= swift
APT_PACKAGES := pkg-config libgeos-dev libproj-dev libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps python-deps api-venv api-check build release test test-asan demo bench clean

# Installs the C libraries with apt only when pkg-config cannot find them.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists geos proj sqlite3; then \
		echo "deps: GEOS $$(pkg-config --modversion geos), PROJ $$(pkg-config --modversion proj), SQLite $$(pkg-config --modversion sqlite3) found"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "deps: GEOS, PROJ or SQLite development files are missing and apt-get is not available;" >&2; \
		echo "      install $(APT_PACKAGES) (or your system's equivalents)." >&2; exit 1; \
	elif [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null 2>&1; then \
		echo "deps: need root or sudo to run: apt-get install $(APT_PACKAGES)" >&2; exit 1; \
	else \
		echo "deps: installing $(APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null || \
		{ echo "deps: apt-get install $(APT_PACKAGES) failed" >&2; exit 1; }; \
	fi

# The output tests validate JSON with Python's jsonschema, an implementation independent of ours.
python-deps:
	@if python3 -c 'import jsonschema, referencing' >/dev/null 2>&1; then \
		echo "deps: python3 jsonschema found"; \
	else \
		echo "deps: installing jsonschema with pip"; \
		python3 -m pip install --quiet 'jsonschema>=4.18' || { echo "deps: pip install jsonschema failed" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps python-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest
	$(MAKE) api-check

# The HTTP API's checkers, in a virtual environment of their own (made once, kept in .venv-api).
API_VENV := .venv-api
api-venv:
	@if [ -x $(API_VENV)/bin/schemathesis ] && $(API_VENV)/bin/python -c 'import openapi_spec_validator' >/dev/null 2>&1; then \
		echo "deps: $(API_VENV) has schemathesis and openapi-spec-validator"; \
	else \
		echo "deps: making $(API_VENV) with schemathesis and openapi-spec-validator"; \
		python3 -m venv $(API_VENV) && $(API_VENV)/bin/pip install --quiet schemathesis openapi-spec-validator || \
		{ echo "deps: could not install schemathesis and openapi-spec-validator" >&2; exit 1; }; \
	fi

# docs/openapi.json validated, then a bounded schemathesis run against `routerisk serve` on loopback.
api-check: api-venv
	$(SWIFT) build --product routerisk
	Tests/tools/api-check.sh $(API_VENV) "$$($(SWIFT) build --show-bin-path)/routerisk"

# Runs the tests under AddressSanitizer and LeakSanitizer (slower; a separate build folder).
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp $(SWIFT) test --sanitize=address --disable-xctest --scratch-path .build-asan

# The planner's job on the bundled data: rank the demo routes, with the reasons.
demo: build
	$(SWIFT) run routerisk score --as-of 2025-06-01T00:00:00Z --format table --explain

# Release-build benchmarks; see docs/performance.md for what each measures.
bench: deps
	$(SWIFT) run -c release routerisk-bench

clean:
	rm -rf .build .build-asan $(API_VENV)
