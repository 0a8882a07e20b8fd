# Dirigo: the two commands of the README, and a few more.
#   make chat   install what is missing, build, start a local server and chat
#   make test   install what is missing, build, run every test (ctest)
#   make bench  run the benchmarks and print figures
#   make bench-compare BASE=REV   the engine now beside commit REV, in one run
#   make eval   understanding figures on the dev and (blind) test splits
#   make test-asan, make test-tsan   the tests on a sanitizer build
#               (TESTS='-L unit' picks tests, as ctest's arguments)
#   make fuzz   each libFuzzer target for FUZZ_SECONDS (60), with its figures
#   make hostile   the hostile-input suite, its bounds checked, with figures
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build chat test bench bench-compare eval clean test-asan \
	test-tsan fuzz hostile

all: build

deps:
	@bash scripts/install-deps

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The chat builds quietly: the build's output is shown only if it fails.
chat: deps $(BUILD)/CMakeCache.txt
	@echo "Building Dirigo (about a minute the first time)…"
	@cmake --build $(BUILD) -j $(JOBS) > $(BUILD)/build.log 2>&1 || \
	  { tail -n 40 $(BUILD)/build.log; echo "build failed: see $(BUILD)/build.log"; exit 1; }
	@bash scripts/chat $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash scripts/bench

eval: build
	@$(BUILD)/bin/dirigo-eval --kb=knowledge/it tests/eval/dev
	@echo
	@$(BUILD)/bin/dirigo-eval --kb=knowledge/it tests/eval/test

test-asan: deps
	@bash scripts/sanitize address $(TESTS)

test-tsan: deps
	@bash scripts/sanitize thread $(TESTS)

hostile: build
	@bash scripts/hostile

FUZZ_SECONDS ?= 60
fuzz: deps
	@bash scripts/fuzz $(FUZZ_SECONDS)

bench-compare: build
	@bash scripts/bench-compare $(BASE)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
