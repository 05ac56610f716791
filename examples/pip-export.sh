#!/usr/bin/env bash
# A real export: two videos decoded, composited picture-in-picture by parallelcompositor on the
# GPU (the software adapter where there is no GPU), encoded with x264enc into an MP4. No
# videoconvert before the encoder: parallelcompositor outputs I420 itself.
# usage: pip-export.sh OUT.mp4 [MAIN_VIDEO [INSET_VIDEO]]
# Without inputs, two 10 s clips are generated first (videotestsrc ! x264enc ! mp4mux).
# Needs the plugin on GST_PLUGIN_PATH. The videoconvert after each decoder passes I420/NV12 through
# untouched; it only converts what a decoder may produce beyond them (10-bit, 4:4:4, ...).
set -euo pipefail
out=${1:?usage: $0 OUT.mp4 [MAIN_VIDEO [INSET_VIDEO]]}
main=${2:-}
inset=${3:-}
width=${WIDTH:-1280}
height=${HEIGHT:-720}

source "$(dirname "$0")/clips.sh"
if [ -z "$main" ] || [ -z "$inset" ]; then
  clips "$(dirname "$out")/inputs" "$width" "$height"
fi

# The inset: a quarter of the width, 16:9 kept, 32 px from the bottom-right corner.
iw=$((width / 4)); ih=$((iw * 9 / 16))
x=$((width - iw - 32)); y=$((height - ih - 32))

echo "Exporting $main + $inset -> $out (${width}x${height}, inset ${iw}x${ih} at $x,$y)"
start=$(date +%s.%N)
gst-launch-1.0 -e \
  parallelcompositor name=pc background=black \
    sink_0::zorder=0 sink_0::width=$width sink_0::height=$height sink_0::sizing-policy=keep-aspect-ratio \
    sink_1::zorder=1 sink_1::xpos=$x sink_1::ypos=$y sink_1::width=$iw sink_1::height=$ih \
    sink_1::sizing-policy=keep-aspect-ratio \
  ! video/x-raw,format=I420,width=$width,height=$height,framerate=30/1 \
  ! progressreport update-freq=1 ! x264enc speed-preset=veryfast ! mp4mux ! filesink location="$out" \
  filesrc location="$main" ! decodebin ! videoconvert ! pc.sink_0 \
  filesrc location="$inset" ! decodebin ! videoconvert ! pc.sink_1 \
  | grep -v -E '^(Setting|Pipeline|Prerolling|Redistribute|New clock|Got EOS|Execution|Freeing)' || true
end=$(date +%s.%N)
[ -s "$out" ] || { echo "export failed: $out is missing or empty" >&2; exit 1; }
printf 'Wrote %s (%s bytes) in %.1f s\n' "$out" "$(stat -c %s "$out")" "$(awk "BEGIN{print $end - $start}")"
