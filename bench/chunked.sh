#!/usr/bin/env bash
# Chunked export's cost: the export-1080p30 workload (../shared/bench/WORKLOAD.md) rendered in one pass
# and as CHUNKS chunks with gst-render-range, then joined. On this 2-core machine chunks cannot speed
# anything up (the one pass already uses both cores); what is measured is the overhead each chunk adds
# (its own process, preroll, seek, encoder start, and the join), from which the speed-up of N machines is
# projected: T(N) = T_one / N + overhead per chunk + T_join, one chunk per machine like this one.
# Alternating in each run: one pass; CHUNKS chunks one after the other (the overhead); the same chunks on
# 2 workers at once then the join (the wall time a 2-worker farm of this machine would see).
# usage: GST_PLUGIN_PATH=target/release TOOL=target/release/gst-render-range RUNS=3 CHUNKS=4 bench/chunked.sh [INPUT_DIR]
#
# The workload made seek-safe: export.sh trims A with `identity eos-after` (a buffer count, which a seek
# does not reset) and starts B with a pad offset (which a seek does not shift). Here both play from 0 and
# the timeline hides them instead: A's alpha drops to 0 at 6 s, B's rises to 1 at 5 s, the fade runs over
# 5-6 s. Same pixels work per frame; B shows its own 5-10 s instead of 0-5 s, both inputs decode 10 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=${PEERS:-$here/../../shared/bench}
dir=${1:-bench-inputs}
runs=${RUNS:-3}
chunks=${CHUNKS:-4}
tool=${TOOL:-gst-render-range}
out=${OUT:-/tmp/pc-bench-chunked}
mkdir -p "$out"
source "$here/lib.sh"
bash "$peers/make-inputs.sh" "$dir" >/dev/null

cat >"$out/timeline.json" <<'JSON'
{"zoom": [
  {"pad": "sink_0", "start": 0, "end": 20, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 2},
  {"pad": "sink_1", "start": 0, "end": 20, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 2}],
 "keyframes": [
  {"pad": "sink_0", "property": "alpha", "time": 6.0, "value": 1}, {"pad": "sink_0", "property": "alpha", "time": 6.001, "value": 0},
  {"pad": "sink_1", "property": "alpha", "time": 4.999, "value": 0}, {"pad": "sink_1", "property": "alpha", "time": 5.0, "value": 1}],
 "transitions": [{"from": "sink_0", "to": "sink_1", "start": 5, "duration": 1, "kind": "fade"}]}
JSON
card='xpos=192 ypos=108 width=1536 height=864 corner-radius=24 shadow-blur=12 shadow-offset-y=16 shadow-color=0x99000000'
desc=(parallelcompositor name=pc adapter=cpu background=blurred background-blur=20 timeline="$out/timeline.json")
for p in $card; do desc+=("sink_0::$p" "sink_1::$p"); done
desc+=(sink_1::zorder=1 ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1
  ! x264enc speed-preset=ultrafast ! mp4mux ! filesink location="$out/unused.mp4"
  filesrc location="$dir/a.mp4" ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_0
  filesrc location="$dir/b.mp4" ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_1)

frames=$("$tool" --frame-count "${desc[@]}" | cut -d' ' -f1)
bounds=()
for i in $(seq 0 "$chunks"); do bounds+=($((frames * i / chunks))); done
# One script per chunk, so that xargs can run two at once.
for i in $(seq 0 $((chunks - 1))); do
  printf '%q ' "$tool" -q --frames "${bounds[$i]}:${bounds[$i + 1]}" -o "$out/chunk-$i.mp4" "${desc[@]}" >"$out/chunk-$i.sh"
done
chunk() { bash "$out/chunk-$1.sh"; }
one_pass() { "$tool" -q -o "$out/one.mp4" "${desc[@]}"; }
# Seconds of each chunk (space-separated), one after the other.
sequential() {
  local i t
  for i in $(seq 0 $((chunks - 1))); do t=$(time_of chunk "$i"); printf '%s ' "$t"; done
}
parallel2() { for i in $(seq 0 $((chunks - 1))); do echo "$out/chunk-$i.sh"; done | xargs -P 2 -n 1 bash; }
join() { "$tool" -q --join "$out/joined.mp4" $(for i in $(seq 0 $((chunks - 1))); do echo "$out/chunk-$i.mp4"; done); }

ones=() seqs=() walls=() joins=() per_chunk=()
for _ in $(seq "$runs"); do
  ones+=("$(time_of one_pass)")
  s=$(sequential); per_chunk+=("$s")
  seqs+=("$(awk '{t=0; for(i=1;i<=NF;i++) t+=$i; print t}' <<<"$s")")
  j=$(time_of join); joins+=("$j")
  w=$(time_of parallel2); walls+=("$(awk "BEGIN{print $w + $j}")")
done
one=$(median "${ones[@]}"); seqt=$(median "${seqs[@]}"); join_t=$(median "${joins[@]}"); wall=$(median "${walls[@]}")
"$tool" --checksums "$out/one.mp4" | cut -f2 >"$out/one.pts"
"$tool" --checksums "$out/joined.mp4" | cut -f2 >"$out/joined.pts"
cmp -s "$out/one.pts" "$out/joined.pts" || echo "warning: the joined timestamps differ from the one pass" >&2

over=$(awk "BEGIN{print ($seqt - $one) / $chunks}")
echo "chunked export, export-1080p30 (seek-safe variant), $frames frames, $chunks chunks, median of $runs:"
echo "  one pass                 $(awk "BEGIN{printf \"%.2f s (%.1f fps)\", $one, $frames / $one}")"
echo "  $chunks chunks in sequence   $(awk "BEGIN{printf \"%.2f s: +%.2f s, %.2f s (%.0f %%) per chunk\", $seqt, $seqt - $one, $over, 100 * $over * $chunks / $one}")"
echo "  chunk times (last run)   ${per_chunk[-1]}s"
echo "  join of $chunks chunks       $(awk "BEGIN{printf \"%.2f s\", $join_t}")"
echo "  2 workers + join (wall)  $(awk "BEGIN{printf \"%.2f s = %.2fx the one pass\", $wall, $wall / $one}")"
echo "projected, one chunk per machine like this one, T(N) = T_one/N + $(awk "BEGIN{printf \"%.2f\", $over}") s + join:"
for n in 2 4 8 16 32 64; do
  awk -v n="$n" -v one="$one" -v over="$over" -v j="$join_t" -v c="$chunks" \
    'BEGIN{jn = j * 1.0; t = one / n + over + jn; printf "  N=%-3d %.2f s, speed-up %.1fx\n", n, t, one / t}'
done
echo "(the join is measured for $chunks chunks of the whole export; it copies the encoded stream, so it grows with the export's length, hardly with N)"
