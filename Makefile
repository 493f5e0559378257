# RouteRisk: `make demo` and `make test` set up a fresh Debian machine, build and run.
SWIFT ?= swift
APT_PACKAGES := pkg-config libgeos-dev libproj-dev libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps python-deps build release test test-asan demo bench clean install uninstall

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

# Runs every test and closes with one line CI reads, "N passed, N failed, N skipped", counted
# from the run's output by Tests/summary.awk (tests skip when the data they compare with is not
# beside the checkout). Fails when the run fails or any test failed.
test: deps python-deps
	$(SWIFT) build --build-tests
	@log=$$(mktemp) && status=$$(mktemp) && \
	{ $(SWIFT) test --skip-build --disable-xctest 2>&1; echo $$? > "$$status"; } | tee "$$log"; \
	code=$$(cat "$$status"); awk -f Tests/summary.awk "$$log"; counted=$$?; rm -f "$$log" "$$status"; \
	[ "$$code" = 0 ] && [ "$$counted" = 0 ]

# Runs the tests under AddressSanitizer and LeakSanitizer (slower; a separate build folder).
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp $(SWIFT) test --sanitize=address --disable-xctest --scratch-path .build-asan

# The planner's job on the bundled data: rank the demo routes, with the reasons.
demo: build
	$(SWIFT) run routerisk score --as-of 2025-06-01T00:00:00Z --format table --explain

# Release-build benchmarks; see docs/performance.md for what each measures.
bench: deps
	$(SWIFT) run -c release routerisk-bench

# make install [PREFIX=/usr/local] [CONFIGURATION=release|debug] [BIN_DIR=folder]: the binary, the
# bundled data (PREFIX/share/routerisk), man pages and bash, zsh and fish completions; every file
# and folder made is listed in PREFIX/share/routerisk/install-manifest, which make uninstall
# follows. CONFIGURATION=debug builds and installs the debug build (a release build is slow);
# BIN_DIR installs a routerisk already built there, without building (the install test does).
PREFIX ?= /usr/local
CONFIGURATION ?= release
install: $(if $(BIN_DIR),,deps)
	$(if $(BIN_DIR),,$(SWIFT) build -c $(CONFIGURATION) --product routerisk)
	sh tools/install.sh install "$(PREFIX)" "$(or $(BIN_DIR),$$($(SWIFT) build -c $(CONFIGURATION) --show-bin-path))"

uninstall:
	sh tools/install.sh uninstall "$(PREFIX)"

clean:
	rm -rf .build .build-asan
