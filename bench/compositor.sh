#!/usr/bin/env bash
# parallelcompositor benchmark (not a timed test). Needs the plugin on GST_PLUGIN_PATH (`make bench`).
# A 2-input 1080p30 picture-in-picture composition, I420 in, I420 out, FRAMES frames (300), fakesink:
#   main 1920x1080 full frame, inset 1920x1080 scaled to 480x270 at (1408, 778).
# Inputs are one frame repeated by imagefreeze, so only the compositing is measured.
#  1. stock `compositor max-threads=2` vs parallelcompositor (automatic workers / K);
#  2. parallelcompositor workers=1 max-frames-in-flight=1 vs its automatic default.
# Runs alternate, RUNS times each (default 3); figures are medians of fps = frames / wall time.
set -euo pipefail
runs=${RUNS:-3}
n=${FRAMES:-300}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

input() { # pattern
  echo "videotestsrc num-buffers=1 pattern=$1 ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! imagefreeze num-buffers=$n"
}
out="video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! fakesink sync=false"
pip="sink_0::zorder=0 sink_1::zorder=1 sink_1::xpos=1408 sink_1::ypos=778 sink_1::width=480 sink_1::height=270"
stock() { gst-launch-1.0 -q compositor name=c max-threads=2 background=black $pip ! $out $(input smpte) ! c.sink_0 $(input ball) ! c.sink_1; }
ours() { gst-launch-1.0 -q parallelcompositor name=c $pip ! $out $(input smpte) ! c.sink_0 $(input ball) ! c.sink_1; }
ours_serial() { gst-launch-1.0 -q parallelcompositor name=c workers=1 max-frames-in-flight=1 $pip ! $out $(input smpte) ! c.sink_0 $(input ball) ! c.sink_1; }

gst-inspect-1.0 parallelcompositor >/dev/null || { echo "parallelcompositor not on GST_PLUGIN_PATH" >&2; exit 1; }
adapter=$(gst-launch-1.0 -q videotestsrc num-buffers=1 ! parallelcompositor name=c ! fakesink 2>/dev/null; \
  vulkaninfo --summary 2>/dev/null | grep -m1 deviceName | sed 's/.*= //' || true)
echo "machine: $(nproc) cores; Vulkan device: ${adapter:-unknown}; $runs runs each, alternating; medians; $n frames"

read -r ta tb < <(compare stock ours)
awk -v n="$n" -v ta="$ta" -v tb="$tb" 'BEGIN{
  printf "PiP 1080p I420: compositor max-threads=2 %.1f fps, parallelcompositor (auto) %.1f fps, ratio %.2f\n",
    n/ta, n/tb, ta/tb }'

read -r ta tb < <(compare ours_serial ours)
awk -v n="$n" -v ta="$ta" -v tb="$tb" 'BEGIN{
  printf "PiP 1080p I420: parallelcompositor workers=1 K=1 %.1f fps, automatic %.1f fps, ratio %.2f\n",
    n/ta, n/tb, ta/tb }'
