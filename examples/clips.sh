# Shared by the export examples (source it): checks the plugin is found and generates two 10 s test
# clips when the user gave none.
# clips DIR WIDTH HEIGHT: sets main and inset to DIR/main.mp4 and DIR/inset.mp4, generating them if missing
# (DURATION seconds, default 10).
# The main clip has a sound track (a recording's voice-over: a tone that changes every second).
gst-inspect-1.0 parallelcompositor >/dev/null 2>&1 || {
  echo "parallelcompositor not found: build the plugin (cargo build --release) and set GST_PLUGIN_PATH" >&2
  exit 1
}
clips() {
  local dir=$1 width=$2 height=$3
  mkdir -p "$dir"
  main=$dir/main.mp4; inset=$dir/inset.mp4
  local seconds=${DURATION:-10}
  if [ ! -s "$main" ] || [ ! -s "$inset" ]; then
    echo "Generating two $seconds s test clips in $dir"
    gst-launch-1.0 -q mp4mux name=mux ! filesink location="$main" \
      videotestsrc num-buffers=$((seconds * 30)) pattern=smpte ! video/x-raw,format=I420,width=$width,height=$height,framerate=30/1 \
      ! timeoverlay font-desc="Sans 48" ! x264enc speed-preset=ultrafast ! mux. \
      audiotestsrc num-buffers=$((seconds * 48)) samplesperbuffer=1000 wave=ticks freq=440 ! audio/x-raw,rate=48000,channels=2 \
      ! audioconvert ! avenc_aac ! aacparse ! mux.
    gst-launch-1.0 -q videotestsrc num-buffers=$((seconds * 30)) pattern=ball motion=sweep ! video/x-raw,format=I420,width=640,height=360,framerate=30/1 \
      ! x264enc speed-preset=ultrafast ! mp4mux ! filesink location="$inset"
  fi
}
