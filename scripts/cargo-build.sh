#!/usr/bin/env bash
# meson helper: runs cargo, then copies the built plugin to where meson expects its output.
# usage: cargo-build.sh CARGO_OUT_DIR OUTPUT CARGO ARGS...
set -euo pipefail
out_dir=$1; output=$2; shift 2
"$@"
cp "$out_dir/libgstparallelcompositor.so" "$output"
