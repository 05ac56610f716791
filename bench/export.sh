#!/usr/bin/env bash
# export-1080p30 (../shared/bench/WORKLOAD.md): parallelcompositor against the FFmpeg and stock GStreamer
# peers, alternating in one run, effects stage (decode -> effects -> fakesink) and full export (x264enc
# ultrafast -> MP4). Prints medians, fps and ratios, then our per-stage statistics.
# export-4k: the same composition with A replaced by a 3840x2160 30 fps clip of scrolling text
# (make-4k-input.sh), drawn into the 1536x864 card (a 2.5x reduction, prefiltered) and blurred as the
# background; the FFmpeg peer is ffmpeg-peer-4k.sh (the same graph, the 4K clip scaled with flags=area).
# No stock GStreamer peer there. WORKLOADS="export-1080p30 export-4k" (the default) selects.
# The CPU backend (adapter=cpu) and the wgpu backend on the software adapter (adapter=software;
# WGPU=0 leaves it out) against both peers, alternating in one run; CPU use of each.
# usage: GST_PLUGIN_PATH=target/release RUNS=3 bench/export.sh [INPUT_DIR]
# BASELINE=DIR adds the CPU backend of the plugin built in DIR (e.g. an earlier commit's
# target/release) to the alternation, for before/after figures of a change; BASELINE_WGPU=1 adds its
# wgpu backend on lavapipe too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=${PEERS:-$here/../../shared/bench}
dir=${1:-bench-inputs}
runs=${RUNS:-3}
out=${OUT:-/tmp/pc-bench}
mkdir -p "$out"
source "$here/lib.sh"
bash "$peers/make-inputs.sh" "$dir" >/dev/null
workloads=${WORKLOADS:-export-1080p30 export-4k}
case $workloads in *export-4k*) bash "$here/make-4k-input.sh" "$dir" >/dev/null ;; esac

# The workload as a parallelcompositor pipeline: the card (80 %, centred, radius 24, shadow σ 12 at +16 px,
# black 0.6) over the bottom-most clip blurred with σ 20; the zoom 1 -> 1.8 into (0.3, 0.4) over 0-2 s with
# smoothstep (cubic-bezier(1/3, 0, 2/3, 1) is exactly 3u² - 2u³), B held at 1.8; the crossfade as the
# built-in `fade` transition from A to B over 5-6 s. As in the FFmpeg peer, A is trimmed to 180 frames and B
# to 150 frames starting at 5 s (identity eos-after, pad offset), so after 6 s B is the card and the blurred
# background. The one difference: our shadow is analytic, not a pre-blurred image.
cat >"$out/timeline.json" <<'JSON'
{"zoom": [
  {"pad": "sink_0", "start": 0, "end": 20, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 2},
  {"pad": "sink_1", "start": 0, "end": 20, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 2}],
 "transitions": [{"from": "sink_0", "to": "sink_1", "start": 5, "duration": 1, "kind": "fade"}]}
JSON
card='xpos=192 ypos=108 width=1536 height=864 corner-radius=24 shadow-blur=12 shadow-offset-y=16 shadow-color=0x99000000'
ours() { # ADAPTER MODE [OUTFILE]
  local sink="fakesink sync=false"
  [ "$2" = export ] && sink="x264enc speed-preset=ultrafast ! mp4mux ! filesink location=$3"
  # shellcheck disable=SC2086
  gst-launch-1.0 -q parallelcompositor name=pc adapter="$1" background=blurred background-blur=20 \
    timeline="$out/timeline.json" $(for p in $card; do printf 'sink_0::%s sink_1::%s ' "$p" "$p"; done) \
    sink_1::zorder=1 sink_1::offset=5000000000 \
    ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! $sink \
    filesrc location="$dir/$main_input" ! qtdemux ! h264parse ! avdec_h264 ! identity eos-after=180 ! pc.sink_0 \
    filesrc location="$dir/b.mp4" ! qtdemux ! h264parse ! avdec_h264 ! identity eos-after=150 ! pc.sink_1
}
base_effects() { GST_PLUGIN_PATH=$BASELINE ours cpu effects; }
base_export() { GST_PLUGIN_PATH=$BASELINE ours cpu export "$out/base.mp4"; }
basewgpu_effects() { GST_PLUGIN_PATH=$BASELINE ours software effects; }
basewgpu_export() { GST_PLUGIN_PATH=$BASELINE ours software export "$out/basewgpu.mp4"; }
cpu_effects() { ours cpu effects; }
cpu_export() { ours cpu export "$out/cpu.mp4"; }
wgpu_effects() { ours software effects; }
wgpu_export() { ours software export "$out/wgpu.mp4"; }
ffmpeg_effects() { bash "$ffmpeg_peer" "$dir" effects; }
ffmpeg_export() { bash "$ffmpeg_peer" "$dir" export "$out/ffmpeg.mp4"; }
stock_effects() { bash "$peers/gst-stock-peer.sh" "$dir" effects; }
stock_export() { bash "$peers/gst-stock-peer.sh" "$dir" export "$out/stock.mp4"; }
# FUNCTION: seconds of wall time and CPU use in % of one core ((user + sys) / wall), children included.
timed() {
  local TIMEFORMAT='%R %U %S' r
  r=$( { time "$1" >/dev/null 2>&1; } 2>&1 )
  awk '{printf "%s %.0f\n", $1, 100 * ($2 + $3) / $1}' <<<"$r"
}

fps() { awk "BEGIN{printf \"%.1f\", 300 / $1}"; }
# WGPU=0 leaves out the wgpu backend on lavapipe (~2 minutes a run at 1080p).
backends="cpu"
[ -n "${BASELINE:-}" ] && backends="base cpu"
[ "${WGPU:-1}" = 1 ] && backends="$backends wgpu"
[ -n "${BASELINE:-}" ] && [ "${BASELINE_WGPU:-0}" = 1 ] && backends="$backends basewgpu"
for workload in $workloads; do
  case $workload in
    export-1080p30) main_input=a.mp4; ffmpeg_peer=$peers/ffmpeg-peer.sh; stock=stock ;;
    export-4k) main_input=text4k.mp4; ffmpeg_peer=$here/ffmpeg-peer-4k.sh; stock= ;;
    *) echo "unknown workload $workload" >&2; exit 2 ;;
  esac
  others="ffmpeg $stock"
  for mode in effects export; do
    declare -A secs=() cpu=()
    for _ in $(seq "$runs"); do
      for who in $backends $others; do
        read -r t c < <(timed "${who}_$mode")
        secs[$who]+="$t "; cpu[$who]+="$c "
      done
    done
    line="$workload $mode (median of $runs):"
    for who in $backends $others; do
      # shellcheck disable=SC2086
      m=$(median ${secs[$who]}); c=$(median ${cpu[$who]})
      line+=" $who $(fps "$m") fps (CPU ${c}%),"
      eval "m_$who=$m"
    done
    echo "${line%,}"
    for who in $backends; do
      v="m_$who"
      r="  $who / FFmpeg $(awk "BEGIN{printf \"%.2f\", $m_ffmpeg / ${!v}}")"
      [ -n "$stock" ] && r+=", $who / stock $(awk "BEGIN{printf \"%.2f\", $m_stock / ${!v}}")"
      echo "$r"
    done
  done
  for a in $backends; do
    case $a in base*) continue ;; esac
    adapter=$a; [ "$a" = wgpu ] && adapter=software
    echo "per-stage statistics of one $a effects run (ms per frame):"
    GST_DEBUG=parallelcompositor:4 ours "$adapter" effects 2>&1 | grep -o 'stats.*' | tail -1
  done
done
