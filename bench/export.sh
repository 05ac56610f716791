#!/usr/bin/env bash
# export-1080p30 (../shared/bench/WORKLOAD.md): parallelcompositor against the FFmpeg and stock GStreamer
# peers, alternating in one run, effects stage (decode -> effects -> fakesink) and full export (x264enc
# ultrafast -> MP4). Prints medians, fps and ratios, then our per-stage statistics.
# usage: GST_PLUGIN_PATH=target/release RUNS=3 bench/export.sh [INPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=${PEERS:-$here/../../shared/bench}
dir=${1:-bench-inputs}
runs=${RUNS:-3}
out=${OUT:-/tmp/pc-bench}
mkdir -p "$out"
source "$here/lib.sh"
bash "$peers/make-inputs.sh" "$dir" >/dev/null

# The workload as a parallelcompositor pipeline: the card (80 %, centred, radius 24, shadow σ 12 at +16 px,
# black 0.6) over clip A blurred with σ 20; the zoom 1 -> 1.8 into (0.3, 0.4) over 0-2 s with smoothstep
# (cubic-bezier(1/3, 0, 2/3, 1) is exactly 3u² - 2u³); the crossfade as B's alpha 0 -> 1 over 5-6 s, A
# hidden once B is opaque. Differences from the peers, none of them in our favour: both inputs are decoded
# for the whole 10 s (FFmpeg trims A at 6 s and starts B at 5 s), and the shadow is analytic, not an image.
cat >"$out/timeline.json" <<'JSON'
{"zoom": [
  {"pad": "sink_0", "start": 0, "end": 20, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 2},
  {"pad": "sink_1", "start": 0, "end": 20, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 2}],
 "keyframes": [
  {"pad": "sink_1", "property": "alpha", "time": 5, "value": 0}, {"pad": "sink_1", "property": "alpha", "time": 6, "value": 1},
  {"pad": "sink_0", "property": "alpha", "time": 6, "value": 1}, {"pad": "sink_0", "property": "alpha", "time": 6.001, "value": 0}]}
JSON
card='xpos=192 ypos=108 width=1536 height=864 corner-radius=24 shadow-blur=12 shadow-offset-y=16 shadow-color=0x99000000'
ours() { # MODE [OUTFILE]
  local sink="fakesink sync=false"
  [ "$1" = export ] && sink="x264enc speed-preset=ultrafast ! mp4mux ! filesink location=$2"
  # shellcheck disable=SC2086
  gst-launch-1.0 -q parallelcompositor name=pc background=blurred background-blur=20 \
    timeline="$out/timeline.json" $(for p in $card; do printf 'sink_0::%s sink_1::%s ' "$p" "$p"; done) \
    sink_1::zorder=1 ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! $sink \
    filesrc location="$dir/a.mp4" ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_0 \
    filesrc location="$dir/b.mp4" ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_1
}
ours_effects() { ours effects; }
ours_export() { ours export "$out/ours.mp4"; }
ffmpeg_effects() { bash "$peers/ffmpeg-peer.sh" "$dir" effects; }
ffmpeg_export() { bash "$peers/ffmpeg-peer.sh" "$dir" export "$out/ffmpeg.mp4"; }
stock_effects() { bash "$peers/gst-stock-peer.sh" "$dir" effects; }
stock_export() { bash "$peers/gst-stock-peer.sh" "$dir" export "$out/stock.mp4"; }

fps() { awk "BEGIN{printf \"%.1f\", 300 / $1}"; }
for mode in effects export; do
  o=() f=() s=()
  for _ in $(seq "$runs"); do
    o+=("$(time_of "ours_$mode")"); f+=("$(time_of "ffmpeg_$mode")"); s+=("$(time_of "stock_$mode")")
  done
  mo=$(median "${o[@]}"); mf=$(median "${f[@]}"); ms=$(median "${s[@]}")
  echo "export-1080p30 $mode (median of $runs): parallelcompositor $(fps "$mo") fps ($mo s), FFmpeg $(fps "$mf") fps, stock GStreamer $(fps "$ms") fps"
  echo "  ratio ours/FFmpeg $(awk "BEGIN{printf \"%.2f\", $mf / $mo}"), ours/stock $(awk "BEGIN{printf \"%.2f\", $ms / $mo}")"
done
echo "per-stage statistics of one effects run (ms per frame):"
GST_DEBUG=parallelcompositor:4 ours effects 2>&1 | grep -o 'stats.*' | tail -1
