# Thin wrapper: `make demo` and `make test` are the README's quick start.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)

.PHONY: all deps build asan demo test bench screenshot format clean

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

bench: build
	@bash tests/bench/run.sh $(BUILD)

# docs/report.png, which README shows: samples/phases' HTML report as headless Chromium draws it.
screenshot: build
	$(abspath $(BUILD))/vmemu run --quiet --html=$(BUILD)/phases.html $(BUILD)/samples/phases-musl 80000 >/dev/null
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=10000 \
		--window-size=1240,1780 --screenshot=docs/report.png file://$(abspath $(BUILD))/phases.html 2>/dev/null

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
