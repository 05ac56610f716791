#!/usr/bin/env bash
# The FFmpeg peer of the export-4k workload (bench/export.sh): the filter graph of ../shared/bench/ffmpeg-peer.sh
# (export-1080p30) with A replaced by the 3840x2160 clip DIR/text4k.mp4 (make-4k-input.sh). FFmpeg's xfade
# needs inputs of one size, so each clip is scaled with flags=area before it: into the card, 1536x864
# (zoompan then zooms the card as in the 1080p peer), and to 1920x1080 for the blurred background.
# usage: ffmpeg-peer-4k.sh INPUT_DIR effects        -> effect stage only, output discarded
#        ffmpeg-peer-4k.sh INPUT_DIR export OUT.mp4 -> full export, libx264 ultrafast into MP4
set -euo pipefail
dir=$1; mode=${2:-effects}
graph="[0:v]trim=end_frame=180,setpts=PTS-STARTPTS,split=2[a1][a2];
[1:v]trim=end_frame=150,setpts=PTS-STARTPTS,split=2[b1][b2];
[a1]scale=1536:864:flags=area[ac];
[b1]scale=1536:864:flags=area[bc];
[a2]scale=1920:1080:flags=area[ab];
[ac][bc]xfade=transition=fade:duration=1:offset=5[card];
[ab][b2]xfade=transition=fade:duration=1:offset=5,gblur=sigma=20[bg];
[card]zoompan=z='1+0.8*pow(min(it/2\,1)\,2)*(3-2*min(it/2\,1))':x='iw*0.3*(1-1/zoom)':y='ih*0.4*(1-1/zoom)':d=1:s=1536x864:fps=30,format=yuva420p[fgz];
[2:v]format=gray,loop=loop=-1:size=1[m];
[fgz][m]alphamerge[fg];
[3:v]format=yuva420p,loop=loop=-1:size=1[sh];
[bg][sh]overlay=144:76:shortest=1[bgs];
[bgs][fg]overlay=192:108:shortest=1,format=yuv420p[out]"
in=(-i "$dir/text4k.mp4" -i "$dir/b.mp4" -i "$dir/mask.png" -i "$dir/shadow.png")
case $mode in
  effects) exec ffmpeg -hide_banner -loglevel error -y "${in[@]}" -filter_complex "$graph" -map '[out]' -f null - ;;
  export)  exec ffmpeg -hide_banner -loglevel error -y "${in[@]}" -filter_complex "$graph" -map '[out]' \
             -c:v libx264 -preset ultrafast "${3:?output file}" ;;
  *) echo "mode: effects | export" >&2; exit 2 ;;
esac
