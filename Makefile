# Quick start: `make demo` runs a real export, `make test` runs the whole suite.
# Both install missing system packages when run as root, else print the apt-get line to run.

CARGO ?= cargo
PLUGIN_DIR := $(CURDIR)/target/release
OUT ?= $(CURDIR)/out

.PHONY: all build demo test bench bench-export clean deps

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

clean:
	$(CARGO) clean
	rm -rf $(OUT)
