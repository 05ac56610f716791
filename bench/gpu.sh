#!/usr/bin/env bash
# Measures parallelcompositor on a GPU machine that has no GStreamer and no package registry, from the
# bundle scripts/gpu-bundle.sh makes (.gpu-bundle/prefix: GStreamer under a prefix of its own and our
# stripped plugin; .gl: the Vulkan/EGL loader packages). Runs here too, on lavapipe, from the same bundle.
#   1. the machine: CPU, nvidia-smi, the GStreamer in use, the plugins it loads, the adapter our element
#      reports (adapter-info, as the element logs it at start);
#   2. effects only: the export-1080p30 composition (../shared/bench/WORKLOAD.md: blurred background, card
#      with rounded corners and shadow, eased zoom, crossfade) from a still source (imagefreeze, so the
#      source costs nothing) into fakesink, on the GPU adapter at workers x K (max-frames-in-flight);
#   3. the plain picture-in-picture on the stock compositor, and on ours for comparison;
#   4. the full export: the same composition into x264enc speed-preset=ultrafast ! mp4mux ! filesink;
#   5. effects only on the CPU backend (adapter=cpu), same workers x K, and workers = every core;
#   6. the wgpu backend's internal choices, effects only: one device per worker against the shared device
#      (PARALLELCOMPOSITOR_DEVICES=per-worker) and uploads through Queue::write_texture against the
#      mapped staging ring (PARALLELCOMPOSITOR_UPLOAD=write-texture), at workers 1/2/4 with K = 2 x workers.
# fps = frames / wall time of the whole gst-launch-1.0 process (start-up included); "stream fps" = frames /
# the time between the element's start (device created, pipelines built) and its stop; the per-stage
# means are the element's `stats` (ms per frame), read from its "stopping: ..." INFO line.
# usage: bash bench/gpu.sh
#   on the device machine: carry [".gpu-bundle/prefix", ".gl"], command 'bash bench/gpu.sh' (results in $OUT)
#   here (lavapipe): FRAMES=30 SIZE=640x360 bash bench/gpu.sh
# environment: FRAMES (300: output frames per run, even), SIZE (1920x1080), ADAPTER (hardware where
#   nvidia-smi works, else software), WORKERS ("1 2 4"), KS ("1 4 8"), CPU=0 (leave out the CPU backend),
#   EXTRA=0 (leave out the stock compositor, PiP and export rows), CHOICES=0 (leave out section 6),
#   BUDGET (420: seconds after which the remaining runs are skipped), RUN_TIMEOUT (120 s a run),
#   OUT (results folder, default /tmp/pc-gpu-bench), BUNDLE (.gpu-bundle/prefix; without one the system
#   GStreamer and GST_PLUGIN_PATH, default target/release, are used).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
frames=${FRAMES:-300}
size=${SIZE:-1920x1080}
workers_list=${WORKERS:-1 2 4}
k_list=${KS:-1 4 8}
budget=${BUDGET:-420}
run_timeout=${RUN_TIMEOUT:-120}
out=${OUT:-/tmp/pc-gpu-bench}
bundle=${BUNDLE:-$root/.gpu-bundle/prefix}

die() { echo "gpu.sh: $*" >&2; exit 1; }
trap 'echo "gpu.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
[[ $size =~ ^([0-9]+)x([0-9]+)$ ]] || die "SIZE must be WIDTHxHEIGHT, not '$size'"
W=${BASH_REMATCH[1]}; H=${BASH_REMATCH[2]}
[[ $frames =~ ^[0-9]+$ ]] && [ "$frames" -ge 10 ] || die "FRAMES must be a number, 10 or more"
frames=$((frames / 2 * 2))
mkdir -p "$out"
scratch=$(mktemp -d /tmp/pc-gpu-bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
results=$out/results.txt tsv=$out/results.tsv runlog=$out/runs.log
: >"$results"; : >"$runlog"
printf 'case\tadapter\tworkers\tK\tframes\twall_s\tfps\tstream_fps\tupload_ms\trender_ms\treadback_ms\trender_max_ms\tnote\n' >"$tsv"
say() { echo "$*" | tee -a "$results"; }

# --- The GPU machine: loaders into / (its documentation's way), the driver-file fallback. ---
on_gpu=0
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then on_gpu=1; fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
nvidia_egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ $on_gpu = 1 ]; then
  if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
    compgen -G "$root/.gl/*.deb" >/dev/null ||
      die "no Vulkan loader here and no .gl/*.deb carried: run scripts/gpu-bundle.sh, carry .gl"
    for f in "$root"/.gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    echo "gpu.sh: unpacked the loaders of .gl/ into / ($(ls "$root"/.gl/*.deb | wc -l) packages)"
  fi
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ] &&
     ! grep -qls nvidia /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null; then
    export VK_DRIVER_FILES=$nvidia_icd
    [ -f "$nvidia_egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$nvidia_egl
    echo "gpu.sh: no NVIDIA Vulkan driver file in the standard folders: VK_DRIVER_FILES=$nvidia_icd"
  fi
fi
gpu_adapter=${ADAPTER:-$([ $on_gpu = 1 ] && echo hardware || echo software)}

# --- GStreamer: the bundle's, under its own prefix, and nothing of the system's. ---
genv=(GST_REGISTRY="$scratch/registry.bin" GST_DEBUG_NO_COLOR=1)
if [ -x "$bundle/bin/gst-launch-1.0" ]; then
  from="the bundle $bundle"
  need=$(sed -n 's/^# newest glibc symbol needed: GLIBC_//p' "$bundle/MANIFEST" 2>/dev/null || true)
  have=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)
  if [ -n "$need" ] && [ -n "$have" ] && [ "$(printf '%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
    die "the bundle needs glibc $need or newer, this machine has $have: build the bundle on an older Debian"
  fi
  # (the _1_0 variables, when set, win over the plain ones: unset them)
  genv=(-u GST_PLUGIN_PATH_1_0 -u GST_PLUGIN_SYSTEM_PATH -u GST_PLUGIN_SCANNER_1_0 "${genv[@]}"
    PATH="$bundle/bin:$PATH" LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    GST_PLUGIN_SYSTEM_PATH_1_0="$bundle/lib/gstreamer-1.0" GST_PLUGIN_SCANNER="$bundle/libexec/gst-plugin-scanner"
    GST_PLUGIN_PATH="$bundle/plugin")
else
  [ $on_gpu = 0 ] || die "no bundle at $bundle: run scripts/gpu-bundle.sh here and carry .gpu-bundle/prefix and .gl"
  command -v gst-launch-1.0 >/dev/null || die "no bundle at $bundle and no system GStreamer: run scripts/gpu-bundle.sh"
  from="the system (no bundle at $bundle)"
  genv+=(GST_PLUGIN_PATH="${GST_PLUGIN_PATH:-$root/target/release}")
fi
g() { env "${genv[@]}" "$@"; }

# --- 1. The machine. ---
say "== parallelcompositor GPU benchmark, $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "host: $(uname -srm), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(ldd --version | head -1)"
if [ $on_gpu = 1 ]; then
  say "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader)"
  { nvidia-smi; echo "--- Vulkan/EGL: loaders and driver files"; ldconfig -p | grep -E 'libvulkan|libEGL|libGLX|nvidia' || true
    ls -l /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d /usr/share/glvnd/egl_vendor.d \
      /usr/local/nvidia/share/glvnd/egl_vendor.d 2>&1 || true; } >>"$runlog" 2>&1
else
  say "GPU: none (no working nvidia-smi): the GPU adapter here is '$gpu_adapter'"
fi
say "GStreamer: $(g gst-launch-1.0 --version | sed -n 2p) from $from"
g gst-inspect-1.0 parallelcompositor >/dev/null 2>"$scratch/inspect.err" ||
  die "parallelcompositor not found: $(cat "$scratch/inspect.err")"
plugins=$(g gst-inspect-1.0 | awk -F: '/^[a-z0-9]+:/ {print $1}' | sort -u)
foreign=""
for p in $plugins; do
  f=$(g gst-inspect-1.0 "$p" | awk '/^  Filename/ {print $2}')
  case $f in "$bundle"/*|""|"(null)") ;; *) foreign+=" $p ($f)" ;; esac  # staticelements: (null)
done
say "plugins loaded: $(echo $plugins)"
if [ -n "$foreign" ] && [[ $from == "the bundle"* ]]; then die "plugins from outside the bundle:$foreign"; fi
say "scale: ${W}x${H}, $frames frames a run; VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"

# The composition (export-1080p30), scaled to SIZE and FRAMES: A for 0.6 N frames, B from N/2 for N/2
# frames, zoom 1 -> 1.8 over the first N/5 frames, the fade over frames N/2 .. 0.6 N.
s=$(awk "BEGIN{print $W / 1920}")
px() { awk "BEGIN{printf \"%.3f\", $1 * $s}"; }
dur=$(awk "BEGIN{print $frames / 30}")
cat >"$scratch/timeline.json" <<JSON
{"zoom": [
  {"pad": "sink_0", "start": 0, "end": $(awk "BEGIN{print 2 * $dur}"), "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": $(awk "BEGIN{print $dur / 5}")},
  {"pad": "sink_1", "start": 0, "end": $(awk "BEGIN{print 2 * $dur}"), "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": $(awk "BEGIN{print $dur / 5}")}],
 "transitions": [{"from": "sink_0", "to": "sink_1", "start": $(awk "BEGIN{print $dur / 2}"), "duration": $(awk "BEGIN{print $dur / 10}"), "kind": "fade"}]}
JSON
still() { # PAD PATTERN WIDTH HEIGHT BUFFERS: a still frame repeated BUFFERS times at 30 fps
  echo "videotestsrc num-buffers=1 pattern=$2 ! video/x-raw,format=I420,width=$3,height=$4,framerate=30/1" \
    "! imagefreeze num-buffers=$5 ! video/x-raw,framerate=30/1 ! $1"
}
out_caps="video/x-raw,format=I420,width=$W,height=$H,framerate=30/1"
fa=$((frames * 6 / 10)) fb=$((frames / 2)) off=$((frames / 2 * 1000000000 / 30))  # ns; not awk: mawk's %d stops at 2^31
effects() { # ADAPTER WORKERS K SINK...
  local card="xpos=$(px 192) ypos=$(px 108) width=$(px 1536) height=$(px 864) corner-radius=$(px 24)"
  local p pads=""
  card+=" shadow-blur=$(px 12) shadow-offset-y=$(px 16) shadow-color=0x99000000"
  for p in $card; do pads+="sink_0::$p sink_1::$p "; done
  echo "parallelcompositor name=pc adapter=$1 workers=$2 max-frames-in-flight=$3 background=blurred" \
    "background-blur=$(px 20) timeline=$scratch/timeline.json $pads sink_1::zorder=1" \
    "sink_1::offset=$off ! $out_caps ! ${*:4}" \
    "$(still pc.sink_0 smpte "$W" "$H" "$fa")" "$(still pc.sink_1 pinwheel "$W" "$H" "$fb")"
}
pip() { # ELEMENT: the plain picture-in-picture, a third-size inset at a quarter of the width, bottom right
  local iw=$((W / 4)) ih=$((H / 4)) m=$((W / 60))
  echo "$1 name=pc sink_1::xpos=$((W - iw - m)) sink_1::ypos=$((H - ih - m)) sink_1::width=$iw" \
    "sink_1::height=$ih sink_1::zorder=1 ! $out_caps ! fakesink sync=false" \
    "$(still pc.sink_0 smpte "$W" "$H" "$frames") $(still pc.sink_1 ball $((W / 3 / 2 * 2)) $((H / 3 / 2 * 2)) "$frames")"
}

# measure CASE ADAPTER WORKERS K DESCRIPTION: one gst-launch-1.0 run, one row of the table.
row() { printf '%-14s %-9s %7s %3s %6s %7s %7s %7s %8s %8s %8s %8s  %s\n' "$@"; }
# KNOBS (an array, may be empty): environment assignments for the run, e.g. PARALLELCOMPOSITOR_DEVICES=per-worker.
knobs=()
measure() {
  local case=$1 adapter=$2 workers=$3 k=$4 desc=$5 t0 t1 rc=0 wall n fps sfps st up re rb rmax note=""
  if [ "$SECONDS" -ge "$budget" ]; then
    note="skipped: past BUDGET=${budget}s"
    printf '%s\t%s\t%s\t%s\t\t\t\t\t\t\t\t\t%s\n' "$case" "$adapter" "$workers" "$k" "$note" >>"$tsv"
    row "$case" "$adapter" "$workers" "$k" - - - - - - - - "$note" | tee -a "$results"; return
  fi
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  timeout "$run_timeout" env "${genv[@]}" ${knobs[@]+"${knobs[@]}"} GST_DEBUG=parallelcompositor:4 GST_DEBUG_FILE="$scratch/debug.log" \
    gst-launch-1.0 -q $desc >"$scratch/launch.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  { echo "--- $case adapter=$adapter workers=$workers K=$k rc=$rc ${knobs[*]+${knobs[*]}}"; echo "gst-launch-1.0 $desc"
    cat "$scratch/launch.log"; grep -E 'rendering on|stopping:|ERROR|WARN' "$scratch/debug.log" 2>/dev/null || true; } >>"$runlog"
  wall=$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")
  st=$(grep -o 'stopping: .*' "$scratch/debug.log" 2>/dev/null | tail -1 || true)
  field() { { grep -o "$1=([a-z0-9]*)[0-9.e+-]*" <<<"$st" || true; } | sed 's/.*)//' | awk '{printf "%.2f", $1}'; }
  n=$(grep -o 'frames=(guint64)[0-9]*' <<<"$st" | sed 's/.*)//' || true); n=${n:-$frames}
  up=$(field upload-mean-ms); re=$(field render-mean-ms); rb=$(field readback-mean-ms); rmax=$(field render-max-ms)
  # stream fps: from the element's start ("rendering on") to its stop, by the debug log's clock.
  sfps=$(awk -v n="$n" '/rendering on|stopping:/ {split($1, a, ":"); t = a[1] * 3600 + a[2] * 60 + a[3]
           if (/rendering on/) s = t; else e = t} END {if (s != "" && e > s) printf "%.1f", n / (e - s); else print "-"}' \
         "$scratch/debug.log" 2>/dev/null || echo -)
  fps=$(awk "BEGIN{printf \"%.1f\", $n / $wall}")
  if [ $rc != 0 ]; then
    note="FAILED rc=$rc: $(grep -m1 -E 'ERROR|rror' "$scratch/launch.log" | cut -c1-120 || true)"; fps=-; sfps=-
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$adapter" "$workers" "$k" "$n" "$wall" \
    "$fps" "$sfps" "$up" "$re" "$rb" "$rmax" "$note" >>"$tsv"
  row "$case" "$adapter" "$workers" "$k" "$n" "$wall" "$fps" "$sfps" "${up:--}" "${re:--}" "${rb:--}" "${rmax:--}" "$note" | tee -a "$results"
  return 0
}

# The adapters as the element reports them (also warms the driver's shader cache up).
probe() { # ADAPTER: a 6-frame run of the composition
  local fa=6 fb=3 off=100000000
  # shellcheck disable=SC2046
  g GST_DEBUG=parallelcompositor:4 GST_DEBUG_FILE="$scratch/probe.log" gst-launch-1.0 -q \
    $(effects "$1" 0 0 fakesink) >"$scratch/probe.out" 2>&1 || return 1
  grep -o 'rendering on.*' "$scratch/probe.log" | tail -1
}
for a in "$gpu_adapter" cpu; do
  if ! info=$(probe "$a"); then
    if [ $on_gpu = 1 ] && [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
      export VK_DRIVER_FILES=$nvidia_icd
      [ -f "$nvidia_egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$nvidia_egl
      say "adapter=$a failed; retrying with VK_DRIVER_FILES=$nvidia_icd"
      info=$(probe "$a") || info="FAILED: $(tr '\n' ' ' <"$scratch/probe.out" | head -c 400)"
    else
      info="FAILED: $(tr '\n' ' ' <"$scratch/probe.out" | head -c 400)"
    fi
  fi
  say "adapter=$a: $info"
done

say ""
say "fps: frames / wall time of gst-launch-1.0 (start-up included); stream: frames / element start..stop;"
say "ms: the element's per-frame means (upload, render, readback; CPU backend: preparation, compositing, conversion)"
say "workers/K auto: the element's defaults (wgpu 2-4 workers; CPU one per core, $(nproc) here; K = workers + 2)"
row case adapter workers K frames wall_s fps stream upload render readback rendmax note | tee -a "$results"
for w in $workers_list; do for k in $k_list; do
  measure effects "$gpu_adapter" "$w" "$k" "$(effects "$gpu_adapter" "$w" "$k" fakesink sync=false)"
done; done
measure effects "$gpu_adapter" auto auto "$(effects "$gpu_adapter" 0 0 fakesink sync=false)"
if [ "${EXTRA:-1}" = 1 ]; then
  measure pip-stock compositor - - "$(pip "compositor background=black")"
  measure pip "$gpu_adapter" auto auto "$(pip "parallelcompositor adapter=$gpu_adapter")"
  measure pip cpu auto auto "$(pip "parallelcompositor adapter=cpu")"
  for a in "$gpu_adapter" cpu; do
    measure export-x264 "$a" auto auto \
      "$(effects "$a" 0 0 x264enc speed-preset=ultrafast ! mp4mux ! filesink location="$scratch/export-$a.mp4")"
    [ -s "$scratch/export-$a.mp4" ] && echo "export-x264 $a: $(stat -c %s "$scratch/export-$a.mp4") bytes" >>"$runlog"
  done
fi
if [ "${CHOICES:-1}" = 1 ]; then
  # The wgpu backend's choices, each against its default at the same workers and K (rows "effects" above
  # where K = 2 x workers is in KS; measured again here, next to each other, for less drift).
  for w in $workers_list; do
    k=$((2 * w))
    measure effects "$gpu_adapter" "$w" "$k" "$(effects "$gpu_adapter" "$w" "$k" fakesink sync=false)"
    if [ "$w" -gt 1 ]; then
      knobs=(PARALLELCOMPOSITOR_DEVICES=per-worker)
      measure effects-dev/worker "$gpu_adapter" "$w" "$k" "$(effects "$gpu_adapter" "$w" "$k" fakesink sync=false)"
    fi
    knobs=(PARALLELCOMPOSITOR_UPLOAD=write-texture)
    measure effects-write-tex "$gpu_adapter" "$w" "$k" "$(effects "$gpu_adapter" "$w" "$k" fakesink sync=false)"
    knobs=()
  done
fi
if [ "${CPU:-1}" = 1 ]; then
  # auto: one worker per core ($(nproc) here), K = workers + 2.
  measure effects cpu auto auto "$(effects cpu 0 0 fakesink sync=false)"
  for w in $workers_list; do for k in $k_list; do
    measure effects cpu "$w" "$k" "$(effects cpu "$w" "$k" fakesink sync=false)"
  done; done
fi
say ""
say "done in ${SECONDS}s; results in $out (results.txt, results.tsv, runs.log)"
