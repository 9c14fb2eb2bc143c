# phial — the commands. Everything real happens in CMake; this file wraps it.
#
#   make run        install what is missing, build, serve the demo on :8000
#   make test       install what is missing, build, run every test
#   make asan       the test suite under AddressSanitizer + UBSan
#   make valgrind   the unit tests under Valgrind memcheck
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench      benchmarks, phial beside its peers
#   make install    PREFIX=/usr/local
#   make clean

JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
FUZZ_SECONDS ?= 60
BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all build run test asan valgrind fuzz bench install clean deps-build deps-test deps-bench

all: build

deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-bench:
	@scripts/deps.sh bench

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

run: deps-build
	@$(MAKE) --no-print-directory build BUILD=build-run CMAKE_FLAGS="-DPHIAL_TESTS=OFF"
	@scripts/run-demo.sh build-run

test: deps-test
	@scripts/tune-host.sh
	@$(MAKE) --no-print-directory build
	@scripts/ctest-summary.sh $(BUILD) $(JOBS)

asan: deps-test
	@$(MAKE) --no-print-directory build BUILD=build-asan CMAKE_FLAGS="-DPHIAL_SANITIZE=ON -DPHIAL_VALGRIND=OFF -DCMAKE_BUILD_TYPE=Debug"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    scripts/ctest-summary.sh build-asan $(JOBS)

valgrind: deps-test
	@$(MAKE) --no-print-directory build BUILD=build-vg CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Debug"
	@scripts/valgrind-units.sh build-vg

fuzz: deps-test
	@$(MAKE) --no-print-directory build BUILD=build-fuzz \
	    CMAKE_FLAGS="-DPHIAL_FUZZ=ON -DPHIAL_VALGRIND=OFF -DCMAKE_C_COMPILER=clang"
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

bench: deps-bench
	@$(MAKE) --no-print-directory build BUILD=build-bench CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release -DPHIAL_TESTS=OFF -DPHIAL_WERROR=OFF"
	@scripts/bench.sh build-bench

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf build build-run build-asan build-vg build-fuzz build-bench
