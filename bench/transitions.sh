#!/usr/bin/env bash
# Cost of a transition frame against a plain frame (not a timed test). Needs the plugin on
# GST_PLUGIN_PATH (`make bench`). Two full-frame inputs (one frame each, repeated by imagefreeze,
# so only compositing is measured), I420 in and out at SIZE (default 1280x720), FRAMES frames (60):
#   plain     : sink_1 over sink_0, no transition;
#   fade      : the built-in fade over every frame;
#   circleopen: a built-in with per-pixel geometry;
#   glsl      : tests/data/transitions/shift.glsl (gl-transitions format) over every frame.
# Each on the CPU backend and on wgpu (lavapipe here; the GLSL one on wgpu only).
# Runs alternate, RUNS times each (default 3); prints median ms per frame and the ratio to plain.
set -euo pipefail
runs=${RUNS:-3}
n=${FRAMES:-60}
size=${SIZE:-1280x720}
w=${size%x*}
h=${size#*x}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

input() { # pattern
  echo "videotestsrc num-buffers=1 pattern=$1 ! video/x-raw,format=I420,width=$w,height=$h,framerate=30/1 ! imagefreeze num-buffers=$n"
}
run() { # transitions property (may be empty)
  # shellcheck disable=SC2046
  gst-launch-1.0 -q parallelcompositor name=c adapter="$adapter" ${1:+transitions="$1"} \
    ! video/x-raw,format=I420,width="$w",height="$h",framerate=30/1 ! fakesink sync=false \
    $(input smpte) ! c.sink_0 $(input ball) ! c.sink_1
}
span="from=sink_0, to=sink_1, start=0.0, duration=3600.0"
plain() { run ""; }
fade() { run "fade, $span"; }
circleopen() { run "circleopen, $span"; }
glsl() { run "glsl, file=$here/../tests/data/transitions/shift.glsl, $span"; }

gst-inspect-1.0 parallelcompositor >/dev/null || { echo "parallelcompositor not on GST_PLUGIN_PATH" >&2; exit 1; }
echo "machine: $(nproc) cores; $size I420, $n frames, $runs runs each alternating, medians"
for adapter in cpu wgpu; do
  kinds="plain fade circleopen"
  [ "$adapter" = wgpu ] && kinds+=" glsl"
  declare -A t=()
  for _ in $(seq "$runs"); do
    for kind in $kinds; do t[$kind]+="$(time_of "$kind") "; done
  done
  # shellcheck disable=SC2086
  base=$(median ${t[plain]})
  for kind in $kinds; do
    # shellcheck disable=SC2086
    m=$(median ${t[$kind]})
    awk -v a="$adapter" -v k="$kind" -v m="$m" -v n="$n" -v b="$base" \
      'BEGIN{ printf "%-5s %-10s %7.1f ms/frame, %+6.1f ms/frame over plain (x%.2f)\n", a, k, 1000 * m / n, 1000 * (m - b) / n, m / b }'
  done
done
