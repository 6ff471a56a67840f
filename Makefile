# bitloom: the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
BENCH_FLAGS ?=

.PHONY: all deps configure build test test-release test-asan run bench clean

all: build

# Installs missing Debian packages (quiet when nothing is missing).
deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DBITLOOM_WERROR=ON \
	    $(CMAKE_FLAGS) >/dev/null

# Release build; executables land in build/bin/.
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test through CTest, in the release build and again under ASan+UBSan.
test: test-release test-asan

test-release: build
	@echo "== tests (release build) =="
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	@echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer build) =="
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DBITLOOM_WERROR=ON \
	    -DBITLOOM_SANITIZE=ON -DBITLOOM_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# The main job: build, then run what exists (scripts/demo.sh).
run: build
	@scripts/demo.sh $(BUILD_DIR)

bench: build
	@$(BUILD_DIR)/bin/bitloom_bench $(BENCH_FLAGS)
	@echo "== block import (bitloom_import_bench $(IMPORT_BENCH_FLAGS)) =="
	@$(BUILD_DIR)/bin/bitloom_import_bench $(IMPORT_BENCH_FLAGS)
	@echo "== block sync over P2P from 1 and 4 local peers (bitloom_sync_bench $(SYNC_BENCH_FLAGS)) =="
	@$(BUILD_DIR)/bin/bitloom_sync_bench $(SYNC_BENCH_FLAGS)
	@echo "== crawler pass over a 10,000-node simulated network (bitloom_crawl_bench $(CRAWL_BENCH_FLAGS)) =="
	@$(BUILD_DIR)/bin/bitloom_crawl_bench $(CRAWL_BENCH_FLAGS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)

# Fuzzing (fuzz/): builds the harnesses apart from the main build (g++ with ASan+UBSan and
# the in-house driver), makes seeds from the test vectors, runs each for FUZZ_SECONDS.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 10
FUZZ_VECTORS ?= ../shared/test-vectors

.PHONY: fuzz fuzz-build

fuzz-build: deps
	@cmake -S fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
	    >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)

fuzz: fuzz-build
	@python3 fuzz/make_seeds.py $(FUZZ_VECTORS) $(FUZZ_DIR)/seeds >/dev/null
	@mkdir -p $(FUZZ_DIR)/artifacts
	@for harness in $(FUZZ_DIR)/bin/fuzz_*; do \
	    target=$${harness##*/fuzz_}; \
	    echo "== fuzz $$target ($(FUZZ_SECONDS) s) =="; \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $$harness -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_DIR)/artifacts/$$target- \
	        $(FUZZ_DIR)/seeds/$$target || exit 1; \
	done
