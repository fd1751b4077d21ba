# gauntlet: the two commands a new machine needs are `make demo` and `make test`.
# Both install Debian dependencies (scripts/bootstrap-deps), configure and build
# in Release, then run. Everything lands in build/release and out/.

PRESET        ?= release
BUILD_DIR     ?= build/release
JOBS          ?= $(shell nproc)
GAUNTLET_WERROR ?= OFF
CTEST_ARGS    ?=

.PHONY: all deps configure build install demo wm-demo wm-bench test bench format format-check tidy clean

all: build

deps:
	bash scripts/bootstrap-deps

configure: deps
	cmake --preset $(PRESET) -DGAUNTLET_WERROR=$(GAUNTLET_WERROR)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The binary to PREFIX/bin (default /usr/local) and its LibTorch module to PREFIX/lib.
PREFIX        ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

demo: build
	bash scripts/demo

wm-demo: build
	bash scripts/wm-demo

# Several tasks of two suites, frame-acting policies; not run by CI (docs/worldmodel.md).
wm-bench: build
	bash scripts/wm-bench

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	bash scripts/bench

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# Fails when any tracked C++ file is not clang-format clean (CI runs it).
format-check:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

# clang-tidy with .clang-tidy over gauntlet's own translation units (CI runs it).
tidy: build
	bash scripts/tidy $(BUILD_DIR)

clean:
	rm -rf build out
