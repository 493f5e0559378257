# RouteRisk: `make demo` and `make test` set up a fresh Debian machine, build and run.
SWIFT ?= swift
APT_PACKAGES := pkg-config libgeos-dev libproj-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release test test-asan demo bench clean

# Installs the C libraries with apt only when pkg-config cannot find them.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists geos proj; then \
		echo "deps: GEOS $$(pkg-config --modversion geos) and PROJ $$(pkg-config --modversion proj) found"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "deps: GEOS and PROJ development files are missing and apt-get is not available;" >&2; \
		echo "      install libgeos-dev, libproj-dev and pkg-config (or your system's equivalents)." >&2; exit 1; \
	elif [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null 2>&1; then \
		echo "deps: need root or sudo to run: apt-get install $(APT_PACKAGES)" >&2; exit 1; \
	else \
		echo "deps: installing $(APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null || \
		{ echo "deps: apt-get install $(APT_PACKAGES) failed" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Runs the tests under AddressSanitizer (slower; a separate build folder).
test-asan: deps
	$(SWIFT) test --sanitize=address --scratch-path .build-asan

demo: build
	$(SWIFT) run routerisk measure "LINESTRING (67.0011 24.8607, 62.3254 25.1216)"

clean:
	rm -rf .build .build-asan
