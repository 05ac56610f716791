#!/usr/bin/env bash
# A screen-recording editor's export as one pipeline: the recording decoded, shown as a card (rounded
# corners, thin border, soft shadow) over a blurred copy of itself, a zoom into a region with eased
# ramps and motion blur from a JSON timeline, a webcam-style inset with its own card, encoded by x264enc;
# the recording's sound track (if it has one) is carried into the MP4, re-encoded to AAC.
# usage: screen-export.sh OUT.mp4 [RECORDING [INSET]]
# Without inputs, two 10 s clips are generated first. Needs the plugin on GST_PLUGIN_PATH.
set -euo pipefail
out=${1:?usage: $0 OUT.mp4 [RECORDING [INSET]]}
rec=${2:-}
inset=${3:-}
width=${WIDTH:-1280}
height=${HEIGHT:-720}

source "$(dirname "$0")/clips.sh"
dir=$(dirname "$out")/inputs
if [ -z "$rec" ] || [ -z "$inset" ]; then
  clips "$dir" "$width" "$height"
  rec=$main
fi
mkdir -p "$dir"

# The card: 80 % of the frame, centred. The zoom: into the upper right from 2 s to 6.5 s, then into the
# lower left from 7 s; the inset pops in with a spring and fades out at the end.
cw=$((width * 8 / 10)); ch=$((height * 8 / 10)); cx=$(((width - cw) / 2)); cy=$(((height - ch) / 2))
iw=$((width / 5)); ih=$((iw * 9 / 16))
timeline=$dir/timeline.json
cat >"$timeline" <<JSON
{
  "zoom": [
    { "pad": "sink_0", "start": 2.0, "end": 6.5, "scale": 2.0, "centre": [0.8, 0.25], "easing": "ease-in-out", "ramp": 0.8 },
    { "pad": "sink_0", "start": 7.0, "end": 9.8, "scale": 1.6, "centre": [0.2, 0.8], "easing": "cubic-bezier(0.33, 0, 0.67, 1)", "ramp": 0.6 }
  ],
  "keyframes": [
    { "pad": "sink_1", "property": "alpha", "time": 0.5, "value": 0 },
    { "pad": "sink_1", "property": "alpha", "time": 1.0, "value": 1 },
    { "pad": "sink_1", "property": "ypos", "time": 0.5, "value": $((height)) },
    { "pad": "sink_1", "property": "ypos", "time": 1.5, "value": $((height - ih - 24)), "easing": "spring(170, 20, 1)" },
    { "pad": "sink_1", "property": "alpha", "time": 9.0, "value": 1 },
    { "pad": "sink_1", "property": "alpha", "time": 9.8, "value": 0, "easing": "ease-in" }
  ]
}
JSON

# The recording's sound goes into the export when it has any: a mux waiting for an audio branch that
# never gets a pad would never finish, so ask first.
audio=() sound="no sound track"
streams=$(gst-discoverer-1.0 "$rec" 2>/dev/null || true)
if grep -qE "^ *audio #" <<<"$streams"; then
  audio=(d. ! queue ! audioconvert ! audioresample ! avenc_aac ! aacparse ! queue ! mux.)
  sound="with its sound"
fi

echo "Exporting $rec + $inset -> $out (${width}x${height}; timeline $timeline; $sound)"
start=$(date +%s.%N)
gst-launch-1.0 -e \
  parallelcompositor name=pc background=blurred background-pad=sink_0 background-blur=$((width / 64)) \
    timeline="$timeline" shutter-angle=180 motion-blur-samples=6 \
    sink_0::xpos=$cx sink_0::ypos=$cy sink_0::width=$cw sink_0::height=$ch sink_0::corner-radius=$((width / 80)) \
    sink_0::corner-shape=squircle sink_0::border-width=1 sink_0::border-color=0x40ffffff \
    sink_0::shadow-blur=$((width / 100)) sink_0::shadow-offset-y=$((width / 120)) sink_0::shadow-color=0x99000000 \
    sink_1::zorder=1 sink_1::xpos=$((width - iw - 24)) sink_1::width=$iw sink_1::height=$ih \
    sink_1::corner-radius=$((ih / 2)) sink_1::shadow-blur=6 sink_1::shadow-offset-y=4 \
  ! video/x-raw,format=I420,width=$width,height=$height,framerate=30/1 \
  ! progressreport update-freq=2 ! x264enc speed-preset=veryfast ! queue ! mp4mux name=mux ! filesink location="$out" \
  filesrc location="$rec" ! decodebin name=d d. ! queue ! videoconvert ! pc.sink_0 "${audio[@]}" \
  filesrc location="$inset" ! decodebin ! videoconvert ! pc.sink_1 \
  | grep -v -E '^(Setting|Pipeline|Prerolling|Redistribute|New clock|Got EOS|Execution|Freeing)' || true
end=$(date +%s.%N)
[ -s "$out" ] || { echo "export failed: $out is missing or empty" >&2; exit 1; }
printf 'Wrote %s (%s bytes) in %.1f s\n' "$out" "$(stat -c %s "$out")" "$(awk "BEGIN{print $end - $start}")"
