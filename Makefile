# Thin wrapper: `make demo` and `make test` are the README's quick start.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)

PREFIX ?= /usr/local

.PHONY: all deps build asan demo test install package failsweep fuzz mutation bench screenshot format clean

all: build

deps:
	@bash .ci/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVMEMU_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/vmemu run $(BUILD)/samples/anon_touch-musl 1024

# The whole suite: the normal build, then the same tests under ASan+UBSan.
test: build asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# vmemu, its man page, docs, examples and bash completion under PREFIX
# (cmake/install.cmake); `sudo make install`, or PREFIX=~/.local.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package, $(BUILD)/vmemu_VERSION_ARCH.deb (cmake/package.cmake).
package: build
	cd $(BUILD) && cpack -G DEB

# The long allocation-failure sweep: every allocation of every sample made
# to fail in turn, 100 points per unit test, 4 seeded random runs each
# (the test suite runs a bounded one). About half an hour on two cores.
failsweep: build
	bash tests/failsweep.sh $(BUILD) . 0 100 4

# Longer fuzzing campaigns than the suite's: FUZZ_SECONDS for each fuzzer
# (the ELF loader's corpus is kept in $(ASAN_BUILD)/fuzz-corpus, findings
# in $(ASAN_BUILD)/fuzz-findings). See docs/fuzzing.md.
FUZZ_SECONDS ?= 600
fuzz: asan
	VMEMU_FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/elf_loader.sh $(ASAN_BUILD) .
	VMEMU_FUZZ_SECONDS=$(FUZZ_SECONDS) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		bash tests/fuzz/syscalls.sh $(ASAN_BUILD) .

# Mutation testing: each mutant of tests/mutation/mutants.txt is built in
# $(MUTATION_DIR) and the suite (without its long sweeps) run against it;
# prints the score and the survivors. MUTATION_ARGS: e.g. --full, or mutant ids.
# See docs/testing.md.
MUTATION_DIR ?= build-mut
MUTATION_ARGS ?=
mutation: deps
	bash tests/mutation/run.sh --workdir $(MUTATION_DIR) --jobs $(JOBS) $(MUTATION_ARGS)

# The benchmark suite (tests/bench/run.sh; docs/performance.md). BENCH_ARGS:
# --runs N, --quick (a smoke run), --only GROUP,..., --extra (vmemu-only sections).
BENCH_ARGS ?=
bench: build
	@bash tests/bench/run.sh $(BUILD) $(BENCH_ARGS)

# docs/report.png, which README shows: samples/phases' HTML report as headless Chromium draws it.
screenshot: build
	$(abspath $(BUILD))/vmemu run --quiet --html=$(BUILD)/phases.html $(BUILD)/samples/phases-musl 80000 >/dev/null
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=10000 \
		--window-size=1240,1780 --screenshot=docs/report.png file://$(abspath $(BUILD))/phases.html 2>/dev/null

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
