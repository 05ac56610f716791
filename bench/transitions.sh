#!/usr/bin/env bash
# Cost of a transition frame against a plain frame (not a timed test). Needs the plugin on
# GST_PLUGIN_PATH (`make bench`). Two full-frame inputs (one frame each, repeated by imagefreeze,
# so only compositing is measured), I420 in and out at SIZE (default 1280x720), FRAMES frames (60):
#   plain     : sink_1 over sink_0, no transition;
#   fade      : the built-in fade over every frame;
#   circleopen: a built-in with per-pixel geometry;
#   glsl      : tests/data/transitions/shift.glsl (gl-transitions format) over every frame.
# Each on the CPU backend and on wgpu (lavapipe here; the GLSL one on wgpu only), and fade and
# glsl with adapter=auto (without a hardware GPU: the hybrid route, the CPU drawing everything
# but the shader program).
# Runs alternate, RUNS times each (default 3); prints median ms per frame and the ratio to plain.
# Then the export comparison: EXPORT_SIZE (default 1920x1080), EXPORT_SECONDS (default 5) at
# 30 fps with one 1 s transition at 2 s, GLSL against fade, adapter=auto: the ratio of the two
# exports' times (the hybrid route's goal: at most 1.5 on 2 cores). ONLY=export runs it alone.
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
shift_glsl="$here/../tests/data/transitions/shift.glsl"
span="from=sink_0, to=sink_1, start=0.0, duration=3600.0"
plain() { run ""; }
fade() { run "fade, $span"; }
circleopen() { run "circleopen, $span"; }
glsl() { run "glsl, file=$shift_glsl, $span"; }

gst-inspect-1.0 parallelcompositor >/dev/null || { echo "parallelcompositor not on GST_PLUGIN_PATH" >&2; exit 1; }
export_comparison() {
  local size=${EXPORT_SIZE:-1920x1080}
  local w=${size%x*} h=${size#*x} n=$((30 * ${EXPORT_SECONDS:-5})) adapter=auto
  local cut="from=sink_0, to=sink_1, start=2.0, duration=1.0"
  export_fade() { run "fade, $cut"; }
  export_glsl() { run "glsl, file=$shift_glsl, $cut"; }
  read -r f g <<<"$(compare export_fade export_glsl)"
  echo "export $size I420, $n frames, one 1 s transition, adapter=auto, $runs runs each, medians:"
  awk -v f="$f" -v g="$g" \
    'BEGIN{ printf "  fade %.2f s, glsl %.2f s: glsl / fade = %.2f (goal <= 1.5)\n", f, g, g / f }'
}
if [ "${ONLY:-}" = export ]; then
  echo "machine: $(nproc) cores"
  export_comparison
  exit 0
fi

echo "machine: $(nproc) cores; $size I420, $n frames, $runs runs each alternating, medians"
for adapter in cpu wgpu auto; do
  kinds="plain fade circleopen"
  [ "$adapter" = wgpu ] && kinds+=" glsl"
  [ "$adapter" = auto ] && kinds="plain fade glsl"
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
export_comparison
