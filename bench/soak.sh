#!/usr/bin/env bash
# Soak test: the export-1080p30 effects (bench/export.sh) at 1280x720 from videotestsrc, one endless
# pipeline per backend (adapter=cpu, then adapter=software, each for half the time), sampled every
# SOAK_INTERVAL seconds: RSS of the gst-launch process (/proc/PID/status VmRSS) and frames per second (the frames
# fpsdisplaysink counted since the previous sample). At the end: whether RSS and fps stayed flat,
# comparing the first and last quarter of the samples (the first sample, warm-up, left out).
# Not part of CI: a leak or a slowdown shows over minutes, not in the test suite.
# usage: GST_PLUGIN_PATH=target/release SOAK_SECONDS=1800 bench/soak.sh
# BACKENDS="cpu software" (default), SOAK_INTERVAL=10. Exit status 1 when something did not stay flat.
set -euo pipefail
seconds=${SOAK_SECONDS:-1800}
interval=${SOAK_INTERVAL:-10}
backends=${BACKENDS:-cpu software}
out=$(mktemp -d /tmp/pc-soak.XXXXXX)
# Flat: the last quarter's mean RSS at most 10 % + 8 MB above the first quarter's (allocator and
# pool slack settle in the first minutes; a leak of one frame per frame does not fit), and its
# mean fps at least 85 % of the first quarter's (other load on the machine makes fps noisy).
rss_ratio=1.10 rss_slack_mb=8 fps_ratio=0.85

# Stream time runs faster or slower than wall time with the renderer's speed (lavapipe: ~1.5 fps):
# the zoom ramps in over the first 0.5 s and holds, and a 1 s fade from sink_0 to sink_1 every 2 s
# of stream time from 0 keeps every sample window an even mix of transition and plain frames, every
# path running from the first frames (enough fades for 240 fps over the run).
{
  printf '{"zoom": [{"pad": "sink_0", "start": 0, "end": 1e7, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 0.5},\n'
  printf '          {"pad": "sink_1", "start": 0, "end": 1e7, "scale": 1.8, "centre": [0.3, 0.4], "easing": "cubic-bezier(0.333333, 0, 0.666667, 1)", "ramp": 0.5}],\n'
  printf ' "transitions": ['
  n=$((seconds * 2))
  for i in $(seq 0 $((n - 1))); do
    printf '{"from": "sink_0", "to": "sink_1", "start": %d, "duration": 1, "kind": "fade"}' $((2 * i))
    [ "$i" -lt $((n - 1)) ] && printf ',\n'
  done
  printf ']}\n'
} >"$out/timeline.json"

# The card of export-1080p30 scaled to 720p: 80 %, centred, radius 16, shadow σ 8 at +11 px, black 0.6,
# over the bottom-most input blurred with σ 13.
card='xpos=128 ypos=72 width=1024 height=576 corner-radius=16 shadow-blur=8 shadow-offset-y=11 shadow-color=0x99000000'
caps='video/x-raw,format=I420,width=1280,height=720,framerate=30/1'
nb=$(wc -w <<<"$backends")
share=$((seconds / nb))
pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; }
trap stop EXIT
# Frames rendered so far: fpsdisplaysink's last "rendered: N" in log $1 (0 before the first).
rendered() { { grep -ao 'rendered: [0-9]*' "$1" || true; } | awk '{n = $2} END {print n + 0}'; }
printf '%8s  %-9s %8s %8s\n' "time s" backend "RSS MB" fps
t0=$(date +%s.%N)
# One backend after the other, SOAK_SECONDS shared between them: side by side on a small machine
# the CPU backend starves lavapipe and its fps says little.
for b in $backends; do
  log="$out/$b.log"
  # shellcheck disable=SC2086
  gst-launch-1.0 -v parallelcompositor name=pc adapter="$b" background=blurred background-blur=13 \
    timeline="$out/timeline.json" $(for p in $card; do printf 'sink_0::%s sink_1::%s ' "$p" "$p"; done) \
    sink_1::zorder=1 \
    ! "$caps" ! fpsdisplaysink video-sink=fakesink text-overlay=false sync=false fps-update-interval=1000 \
    videotestsrc is-live=false pattern=ball ! "$caps" ! pc.sink_0 \
    videotestsrc is-live=false pattern=smpte ! "$caps" ! pc.sink_1 \
    >"$log" 2>&1 &
  pid=$!
  start=$(date +%s.%N) last=$start prev=0
  while :; do
    sleep "$interval"
    t=$(date +%s.%N)
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$b: gst-launch-1.0 exited early; its log ($log) ends:" >&2
      tail -5 "$log" >&2
      exit 1
    fi
    rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    n=$(rendered "$log")
    fps=$(awk "BEGIN{printf \"%.1f\", ($n - $prev) / ($t - $last)}")
    prev=$n last=$t
    printf '%8.0f  %-9s %8s %8s\n' "$(awk "BEGIN{print $t - $t0}")" "$b" "$rss" "$fps"
    echo "$b $rss $fps" >>"$out/samples"
    awk "BEGIN{exit !($t - $start >= $share)}" && break
  done
  stop
  wait "$pid" 2>/dev/null || true
  pid=
done
trap - EXIT

status=0
for b in $backends; do
  # Samples after the first; quarters of at least one sample.
  read -r verdict line < <(awk -v b="$b" -v rr="$rss_ratio" -v rs="$rss_slack_mb" -v fr="$fps_ratio" '
    $1 == b { n++; if (n > 1) { rss[n - 1] = $2; fps[n - 1] = $3 } }
    END {
      m = n - 1; q = int(m / 4); if (q < 1) q = 1
      for (i = 1; i <= q; i++) { r0 += rss[i]; f0 += fps[i]; r1 += rss[m - q + i]; f1 += fps[m - q + i] }
      r0 /= q; r1 /= q; f0 /= q; f1 /= q
      ok_rss = r1 <= r0 * rr + rs; ok_fps = f1 >= f0 * fr
      printf "%s RSS %.1f -> %.1f MB (%s), fps %.1f -> %.1f (%s), first vs last %d of %d samples\n",
        (ok_rss && ok_fps) ? "flat" : "NOT-FLAT", r0, r1, ok_rss ? "flat" : "grew",
        f0, f1, ok_fps ? "flat" : "dropped", q, m
    }' "$out/samples")
  echo "$b: $line"
  [ "$verdict" = flat ] || status=1
done
echo "thresholds: RSS last quarter <= first x $rss_ratio + $rss_slack_mb MB; fps last quarter >= first x $fps_ratio"
[ "$status" = 0 ] && echo "soak: RSS and fps stayed flat" || echo "soak: NOT flat (logs in $out)"
exit "$status"
