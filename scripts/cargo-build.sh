#!/usr/bin/env bash
# meson helper: runs cargo, then copies what it built (the plugin, the gst-render-range tool) to
# where meson expects its outputs, each found by its file name in CARGO_OUT_DIR.
# usage: cargo-build.sh CARGO_OUT_DIR OUTPUT... -- CARGO ARGS...
set -euo pipefail
out_dir=$1; shift
outputs=()
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do outputs+=("$1"); shift; done
[ "$#" -gt 0 ] || { echo "cargo-build.sh: missing -- before the cargo command" >&2; exit 2; }
shift
"$@"
for o in "${outputs[@]}"; do cp "$out_dir/$(basename "$o")" "$o"; done
