#!/usr/bin/env bash
# A CPU-heavy stock filter (gaussianblur, single-threaded) run in 2 parallel branches:
#   source ! roundrobin → 2 × (queue ! gaussianblur) → framereorder ! x264enc ! mp4mux
# usage: parallel-branches.sh OUT.mp4 [INPUT_VIDEO]
# Without INPUT_VIDEO a moving test pattern is generated. Needs the plugin on GST_PLUGIN_PATH.
set -euo pipefail
out=${1:?usage: $0 OUT.mp4 [INPUT_VIDEO]}
input=${2:-}
frames=${FRAMES:-150}
size="width=640,height=360"

if [ -n "$input" ]; then
  src="filesrc location=\"$input\" ! decodebin ! videoconvert ! videoscale ! video/x-raw,$size"
else
  src="videotestsrc num-buffers=$frames pattern=ball motion=sweep ! video/x-raw,$size,framerate=30/1"
fi

gst-inspect-1.0 framereorder >/dev/null 2>&1 || {
  echo "framereorder not found: build the plugin (cargo build --release) and set GST_PLUGIN_PATH" >&2
  exit 1
}

start=$(date +%s.%N)
eval gst-launch-1.0 -e "$src" ! videoconvert ! video/x-raw,format=AYUV ! roundrobin name=rr \
  framereorder name=fr max-frames=8 ! videoconvert ! progressreport update-freq=1 \
  ! x264enc speed-preset=veryfast ! mp4mux ! filesink location="\"$out\"" \
  rr.src_0 ! queue max-size-buffers=2 ! gaussianblur sigma=2 ! fr.sink_0 \
  rr.src_1 ! queue max-size-buffers=2 ! gaussianblur sigma=2 ! fr.sink_1 \
  | grep -v -E '^(Setting|Pipeline|Prerolling|Redistribute|New clock|Got EOS|Execution|Freeing)' || true
end=$(date +%s.%N)

[ -s "$out" ] || { echo "no output written" >&2; exit 1; }
echo
echo "Wrote $out ($(stat -c %s "$out") bytes) in $(awk "BEGIN{printf \"%.2f\", $end - $start}") s."
echo "Play it with: gst-play-1.0 \"$out\""
