# RouteRisk: `make demo` and `make test` set up a fresh Debian machine, build and run.
SWIFT ?= swift
APT_PACKAGES := pkg-config libgeos-dev libproj-dev libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PG_APT_PACKAGES := postgresql-15 postgresql-15-postgis-3

.PHONY: deps python-deps pg-deps build release test test-asan demo bench clean

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

# The tests' PostgreSQL server: installs PostgreSQL 15 and PostGIS with apt only when no server of
# version 15 or later with the postgis extension is there.
pg-deps:
	@if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && \
		ls /usr/lib/postgresql/*/lib/postgis-3.so >/dev/null 2>&1 && \
		ls /usr/lib/postgresql/*/bin/postgres | grep -Eq '/(1[5-9]|[2-9][0-9])/bin/'; then \
		echo "pg-deps: PostgreSQL and PostGIS found"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "pg-deps: PostgreSQL 15 or later with PostGIS 3 is missing and apt-get is not available;" >&2; \
		echo "         install $(PG_APT_PACKAGES) (or your system's equivalents)." >&2; exit 1; \
	elif [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null 2>&1; then \
		echo "pg-deps: need root or sudo to run: apt-get install $(PG_APT_PACKAGES)" >&2; exit 1; \
	else \
		echo "pg-deps: installing $(PG_APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PG_APT_PACKAGES) >/dev/null || \
		{ echo "pg-deps: apt-get install $(PG_APT_PACKAGES) failed" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Every test, the PostgreSQL ones against a throwaway cluster in a temporary folder that is
# stopped and removed afterwards, also when the tests fail or are interrupted.
test: deps python-deps pg-deps
	$(SWIFT) build --build-tests
	@dir=$$(mktemp -d /tmp/routerisk-pg.XXXXXX) && \
	trap 'Tests/tools/pg-cluster.sh stop "'"$$dir"'"' EXIT && trap 'exit 130' INT TERM && \
	Tests/tools/pg-cluster.sh start "$$dir" && . "$$dir/env" && \
	$(SWIFT) test --skip-build --disable-xctest

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
	rm -rf .build .build-asan
