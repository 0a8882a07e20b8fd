# Dirigo: the two commands of the README, and a few more.
#   make chat   install what is missing, build, start a local server and chat
#   make test   install what is missing, build, run every test (ctest)
#   make bench  run the benchmarks and print figures
#   make bench-compare BASE=REV   the engine now beside commit REV, in one run
#   make eval   understanding figures on the dev and (blind) test splits
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build chat test bench bench-compare eval clean

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

bench-compare: build
	@bash scripts/bench-compare $(BASE)

clean:
	rm -rf $(BUILD)
