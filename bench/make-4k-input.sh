#!/usr/bin/env bash
# The main input of the export-4k workload (bench/export.sh): a 3840x2160 30 fps H.264 clip of a 4K screen
# recording's kind of content, 10 s, into DIR/text4k.mp4: testsrc2 (moving, colourful) under two columns of
# small source code scrolling up, black on a translucent white box, as a code editor shows it. Needs ffmpeg
# with drawtext (libfreetype) and the DejaVu fonts. Idempotent: an existing file is kept.
# usage: make-4k-input.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-bench-inputs}
mkdir -p "$dir"
[ -f "$dir/text4k.mp4" ] && exit 0
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
# The text: this repository's own sources, twice (enough lines to scroll through for 10 s).
text=$(mktemp)
trap 'rm -f "$text"' EXIT
cat "$here"/../src/cpu/*.rs "$here"/../src/cpu/*.rs | tr '%\\' '#/' | sed -n 1,900p >"$text"
col() { # X: one column of text scrolling up 60 px/s
  printf "drawtext=fontfile=%s:textfile=%s:fontsize=26:line_spacing=6:fontcolor=black:box=1:boxcolor=white@0.85:boxborderw=12:x=%s:y=40-60*t" \
    "$font" "$text" "$1"
}
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=s=3840x2160:r=30:d=10 \
  -vf "$(col 60),$(col 1980)" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$dir/text4k.mp4"
ls -l "$dir/text4k.mp4"
