#!/usr/bin/env bash
# framereorder benchmarks (not timed tests). Needs the plugin on GST_PLUGIN_PATH (`make bench` sets it).
#  1. Throughput: 1080p frames through roundrobin → 2 queues → funnel, with and without
#     `framereorder max-frames=16` after the funnel; buffers/s and the ratio (goal ≥ 0.9).
#  2. Speed-up of the 2-branch parallel example (gaussianblur at 720p) over the same filter in one branch.
# Runs alternate, RUNS times each (default 5); figures are medians.
set -euo pipefail
runs=${RUNS:-5}
n=${BUFFERS:-3000}
blur_frames=${BLUR_FRAMES:-60}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# The same buffer refcounted over and over (imagefreeze): the pipeline costs only what the
# elements themselves cost, so framereorder's share is not hidden behind frame generation.
src="videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! imagefreeze num-buffers=$n"
branches="rr.src_0 ! queue max-size-buffers=4 ! f. rr.src_1 ! queue max-size-buffers=4 ! f."
funnel_only() { gst-launch-1.0 -q $src ! roundrobin name=rr funnel name=f ! fakesink sync=false $branches; }
with_reorder() { gst-launch-1.0 -q $src ! roundrobin name=rr funnel name=f ! framereorder max-frames=16 ! fakesink sync=false $branches; }

blur_src="videotestsrc num-buffers=$blur_frames pattern=ball motion=sweep ! video/x-raw,format=AYUV,width=1280,height=720,framerate=30/1"
one_branch() { gst-launch-1.0 -q $blur_src ! queue ! gaussianblur sigma=3 ! fakesink sync=false; }
two_branches() {
  gst-launch-1.0 -q $blur_src ! roundrobin name=rr framereorder name=fr max-frames=8 ! fakesink sync=false \
    rr.src_0 ! queue max-size-buffers=2 ! gaussianblur sigma=3 ! fr.sink_0 \
    rr.src_1 ! queue max-size-buffers=2 ! gaussianblur sigma=3 ! fr.sink_1
}

gst-inspect-1.0 framereorder >/dev/null || { echo "framereorder not on GST_PLUGIN_PATH" >&2; exit 1; }
echo "machine: $(nproc) cores; $runs runs each, alternating; medians"

read -r ta tb < <(compare funnel_only with_reorder)
awk -v n="$n" -v ta="$ta" -v tb="$tb" 'BEGIN{
  printf "throughput, %d 1080p buffers: funnel alone %.0f buffers/s, funnel + framereorder %.0f buffers/s, ratio %.3f (goal >= 0.9)\n",
    n, n/ta, n/tb, ta/tb }'

read -r ta tb < <(compare one_branch two_branches)
awk -v n="$blur_frames" -v ta="$ta" -v tb="$tb" 'BEGIN{
  printf "gaussianblur 720p, %d frames: one branch %.1f fps, 2 parallel branches + framereorder %.1f fps, speed-up %.2fx\n",
    n, n/ta, n/tb, ta/tb }'
