# Quick start: `make demo` runs a real export, `make test` runs the whole suite.
# Both install missing system packages when run as root, else print the apt-get line to run.

CARGO ?= cargo
PYTHON ?= /usr/bin/python3
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),$(CURDIR)/target))
PLUGIN_DIR := $(TARGET_DIR)/release
OUT ?= $(CURDIR)/out
VENV ?= $(CURDIR)/.venv

.PHONY: all build demo test test-examples test-distributed bench bench-export bench-chunked soak fuzz clean deps

all: build

deps:
	@scripts/deps.sh test

build:
	@scripts/deps.sh build
	$(CARGO) build --release

demo: build
	@scripts/deps.sh demo
	@mkdir -p $(OUT)
	GST_PLUGIN_PATH=$(PLUGIN_DIR) examples/screen-export.sh $(OUT)/demo.mp4 $(INPUT) $(INSET)

test:
	@scripts/deps.sh test
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	G_DEBUG=fatal_warnings $(CARGO) test --all-targets
	@$(MAKE) --no-print-directory test-examples
	@$(MAKE) --no-print-directory test-distributed

# The embedding examples (examples/python, examples/c) run and checked (tests/examples.py: frame
# counts, pixels, exit status on errors; ~10 s) against the plugin `cargo test` built: it leaves the
# cdylib in target/debug/deps, built with the dev-dependencies' features (a `cargo build` would
# compile wgpu and the GStreamer bindings a second time). The system Python has Debian's python3-gi.
test-examples:
	CARGO="$(CARGO)" $(PYTHON) tests/examples.py --from-cargo-test

# Chunked export over Celery + Redis (tests/distributed.py, ~10 s): a local redis-server, two workers,
# the gst-render-range that `cargo test --all-targets` built, the venv scripts/deps.sh test made.
test-distributed:
	G_DEBUG=fatal_warnings $(VENV)/bin/python tests/distributed.py --tool $(TARGET_DIR)/debug/gst-render-range

bench: build
	@scripts/deps.sh bench
	GST_PLUGIN_PATH=$(PLUGIN_DIR) bench/framereorder.sh
	GST_PLUGIN_PATH=$(PLUGIN_DIR) bench/compositor.sh
	GST_PLUGIN_PATH=$(PLUGIN_DIR) bench/transitions.sh

# export-1080p30 against FFmpeg and stock GStreamer (needs ffmpeg; ~20 min with the wgpu backend
# on lavapipe, a few minutes with WGPU=0).
bench-export: build
	@scripts/deps.sh bench
	GST_PLUGIN_PATH=$(PLUGIN_DIR) bench/export.sh

# Chunked export's overhead (seek, preroll, join) and the speed-up N machines would give, at 1080p
# (bench/chunked.sh; RUNS, CHUNKS to change).
bench-chunked: build
	@scripts/deps.sh bench
	GST_PLUGIN_PATH=$(PLUGIN_DIR) TOOL=$(TARGET_DIR)/release/gst-render-range bench/chunked.sh

# 30 minutes of exports on both backends, RSS and fps sampled every 10 s (SOAK_SECONDS to change).
soak: build
	GST_PLUGIN_PATH=$(PLUGIN_DIR) bench/soak.sh

# libFuzzer on each target for FUZZ_SECONDS (not part of `make test`). cargo-fuzz needs nightly
# flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain take them. -a: overflow checks and debug
# assertions. New corpus entries go to fuzz/target/corpus/ (the committed seeds stay small), crashes
# to fuzz/artifacts/. transitions: LeakSanitizer off, GStreamer's own structure parser leaks on
# malformed lists (gst_structure_from_string, not this crate).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= timeline transitions shader_wgsl shader_glsl
fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: installing it"; $(CARGO) install cargo-fuzz; }
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  mkdir -p fuzz/target/corpus/$$t; \
	  leaks=1; [ $$t = transitions ] && leaks=0; \
	  ASAN_OPTIONS=detect_leaks=$$leaks RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -a $$t \
	    fuzz/target/corpus/$$t fuzz/corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -timeout=10; \
	done

clean:
	$(CARGO) clean
	rm -rf $(OUT)
