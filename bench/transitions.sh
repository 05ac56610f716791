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
# Then the export comparison: a real export (the two H.264 clips of ../shared/bench decoded,
# x264enc ultrafast into MP4, as bench/export.sh), EXPORT_SIZE (default 1920x1080),
# EXPORT_SECONDS (default 5) at 30 fps with one 1 s transition at 2 s, GLSL against fade,
# adapter=auto: the ratio of the two exports' times (the hybrid route's goal: at most 1.5 on 2
# cores); then the same with frozen sources and no encoder, the compositing's share alone.
# ONLY=export runs it alone.
# ONLY=xfade: every built-in kind the installed FFmpeg's xfade knows (KINDS to choose), 1080p
# (XFADE_SIZE), 60 frames all inside a 2 s transition, both decoding the same two H.264 clips
# (../shared/bench/make-inputs.sh into INPUTS, default bench-inputs): ours with adapter=cpu against
# `ffmpeg -filter_complex xfade`, alternating, medians; prints the ratio FFmpeg time / ours (> 1:
# we are faster; goal >= 2), the same less each tool's decoding alone (the transition stage's
# own ratio; FFmpeg's xfade includes its yuv420p <-> yuv444p conversions), and, for ours, the
# cost of a transition frame against a plain frame (the same pipeline with no transition; goal
# <= 1.5 for the geometric kinds).
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
  local size=${EXPORT_SIZE:-1920x1080} dir=${INPUTS:-bench-inputs}
  local w=${size%x*} h=${size#*x} n=$((30 * ${EXPORT_SECONDS:-5})) adapter=auto
  local cut="from=sink_0, to=sink_1, start=2.0, duration=1.0"
  bash "$here/../../shared/bench/make-inputs.sh" "$dir" >/dev/null
  export_run() { # transitions
    gst-launch-1.0 -q parallelcompositor name=c adapter=auto transitions="$1" \
      ! video/x-raw,format=I420,width="$w",height="$h",framerate=30/1 \
      ! x264enc speed-preset=ultrafast ! mp4mux ! filesink location=/tmp/pc-transition-export.mp4 \
      filesrc location="$dir/a.mp4" ! qtdemux ! h264parse ! avdec_h264 ! identity eos-after="$n" ! c.sink_0 \
      filesrc location="$dir/b.mp4" ! qtdemux ! h264parse ! avdec_h264 ! identity eos-after="$n" ! c.sink_1
  }
  export_fade() { export_run "fade, $cut"; }
  export_glsl() { export_run "glsl, file=$shift_glsl, $cut"; }
  read -r f g <<<"$(compare export_fade export_glsl)"
  echo "export $size: two H.264 clips decoded, $n frames, one 1 s transition at 2 s, x264enc ultrafast into MP4, adapter=auto, $runs runs each, medians:"
  awk -v f="$f" -v g="$g" \
    'BEGIN{ printf "  fade %.2f s, glsl %.2f s: glsl / fade = %.2f (goal <= 1.5)\n", f, g, g / f }'
  # The compositing alone (sources frozen, output discarded): the shader frames' own cost.
  export_fade() { run "fade, $cut"; }
  export_glsl() { run "glsl, file=$shift_glsl, $cut"; }
  read -r f g <<<"$(compare export_fade export_glsl)"
  echo "compositing alone (imagefreeze sources, fakesink), same transition:"
  awk -v f="$f" -v g="$g" -v n="$n" \
    'BEGIN{ printf "  fade %.2f s, glsl %.2f s: glsl / fade = %.2f; %.1f ms per shader frame over fade\n", f, g, g / f, 1000 * (g - f) / 30 }'
}
xfade_comparison() {
  local size=${XFADE_SIZE:-1920x1080} dir=${INPUTS:-bench-inputs}
  local w=${size%x*} h=${size#*x} n=60
  bash "$here/../../shared/bench/make-inputs.sh" "$dir" >/dev/null
  local kinds=${KINDS:-$(ffmpeg -hide_banner -h filter=xfade 2>/dev/null |
    awk '/^ *transition /{on=1; next} on && $2 !~ /^-?[0-9]+$/ {exit} on && $1 != "custom" {print $1}' |
    tr '\n' ' ')}
  decode() { echo "filesrc location=$dir/$1 ! qtdemux ! h264parse ! avdec_h264 ! identity eos-after=$n"; }
  ours_x() { # kind, or "plain"
    local t=""
    [ "$1" != plain ] && t="$1, from=sink_0, to=sink_1, start=0.0, duration=2.0"
    # shellcheck disable=SC2046
    gst-launch-1.0 -q parallelcompositor name=c adapter=cpu ${t:+transitions="$t"} \
      ! video/x-raw,format=I420,width="$w",height="$h",framerate=30/1 ! fakesink sync=false \
      $(decode a.mp4) ! c.sink_0 $(decode b.mp4) ! c.sink_1
  }
  ffmpeg_x() {
    ffmpeg -hide_banner -loglevel error -y -i "$dir/a.mp4" -i "$dir/b.mp4" -filter_complex \
      "[0:v]scale=$w:$h[a];[1:v]scale=$w:$h[b];[a][b]xfade=transition=$1:duration=2:offset=0" \
      -frames:v "$n" -f null -
  }
  # The decoding alone, each tool its own way: what neither can go below.
  decode_ours() {
    # shellcheck disable=SC2046
    gst-launch-1.0 -q $(decode a.mp4) ! fakesink sync=false $(decode b.mp4) ! fakesink sync=false
  }
  decode_ffmpeg() {
    ffmpeg -hide_banner -loglevel error -y -i "$dir/a.mp4" -i "$dir/b.mp4" -map 0:v -map 1:v \
      -frames:v "$n" -f null -
  }
  echo "xfade $size I420, $n frames inside a 2 s transition, two H.264 decodes each, $runs runs alternating, medians:"
  local plain=() p dours dff
  for _ in $(seq "$runs"); do plain+=("$(time_of ours_x plain)"); done
  p=$(median "${plain[@]}")
  read -r dours dff <<<"$(compare decode_ours decode_ffmpeg)"
  echo "(ratio: FFmpeg time / ours; stage: the same less each one's decoding alone, ours $dours s, FFmpeg $dff s)"
  printf '%-12s %9s %9s %8s %8s %8s\n' kind ours_s ffmpeg_s ratio stage vs_plain
  for k in $kinds; do
    local a=() b=()
    for _ in $(seq "$runs"); do a+=("$(time_of ours_x "$k")"); b+=("$(time_of ffmpeg_x "$k")"); done
    awk -v k="$k" -v o="$(median "${a[@]}")" -v f="$(median "${b[@]}")" -v p="$p" -v dours="$dours" -v dff="$dff" \
      'BEGIN{ printf "%-12s %9.3f %9.3f %8.2f %8.2f %8.2f\n", k, o, f, f / o, (f - dff) / (o - dours), o / p }'
  done
  awk -v p="$p" 'BEGIN{ printf "%-12s %9.3f  (no transition)\n", "plain", p }'
}
if [ "${ONLY:-}" = xfade ]; then
  echo "machine: $(nproc) cores"
  xfade_comparison
  exit 0
fi
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
