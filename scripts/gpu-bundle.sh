#!/usr/bin/env bash
# Builds what bench/gpu.sh needs on a machine without GStreamer and without a package registry (the
# device machine: a CUDA image with the NVIDIA driver, libc and libstdc++, nothing more), from Debian
# packages fetched here with `apt-get download`:
#   .gpu-bundle/prefix/  carried: a GStreamer runtime under a prefix of its own, pruned to what the
#                        benchmark runs (gst-launch-1.0, gst-inspect-1.0, the plugin scanner, the plugins
#                        coreelements, videotestsrc, videoconvertscale, compositor, imagefreeze, isomp4,
#                        x264 and the libraries they link), plus our plugin, release build, stripped
#                        (plugin/). Used through LD_LIBRARY_PATH, GST_PLUGIN_SYSTEM_PATH_1_0,
#                        GST_PLUGIN_SCANNER and GST_PLUGIN_PATH (bench/gpu.sh sets them); never unpacked to /.
#   .gl/                 carried: the Vulkan / EGL / GL loader packages, which bench/gpu.sh unpacks into /
#                        there (dpkg -x, then ldconfig), as the device machine's documentation says.
#   .gpu-bundle/debs/    not carried: the downloaded GStreamer packages.
# All three are ignored by git (.gitignore). The script fails when a bundled program links a library that
# is neither bundled nor part of the base system (libc, libm, libstdc++, libgcc_s, ...), and when the
# carried total (working tree + bundle + loaders) exceeds the device machine's 64 MiB.
# usage: scripts/gpu-bundle.sh          (run on an x86-64 Debian 12 host, as root or with apt-get download rights)
#   NO_BUILD=1    reuse the plugin already built in $CARGO_TARGET_DIR/release (default target/release)
#   CHECK=0       skip the closing check (the bundled gst-inspect-1.0 in an empty environment)
# Then: bash bench/gpu.sh here (lavapipe), or on the device machine with carry [".gpu-bundle/prefix", ".gl"].
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bundle=$root/.gpu-bundle
debs=$bundle/debs
prefix=$bundle/prefix
gl=$root/.gl
target=${CARGO_TARGET_DIR:-$root/target}
triplet=x86_64-linux-gnu
limit_mib=64

die() { echo "gpu-bundle: $*" >&2; exit 1; }
say() { echo "gpu-bundle: $*"; }

[ "$(uname -m)" = x86_64 ] || die "the device machine is x86-64: build the bundle on an x86-64 host (this is $(uname -m))"
for tool in apt-get dpkg dpkg-deb strip ldd objdump du git; do
  command -v "$tool" >/dev/null || die "$tool is missing (binutils gives strip and objdump)"
done

# GStreamer 1.22 runtime and the libraries it links (Debian 12). What a bare CUDA image lacks; resolved with
# ldd (the closure below checks it).
gst_packages=(
  libgstreamer1.0-0               # core, base, controller libs; coreelements; gst-plugin-scanner
  gstreamer1.0-tools              # gst-launch-1.0, gst-inspect-1.0
  libgstreamer-plugins-base1.0-0  # video, audio, tag, pbutils, riff, rtp libs
  gstreamer1.0-plugins-base       # videotestsrc, videoconvertscale, compositor
  gstreamer1.0-plugins-good       # imagefreeze, isomp4 (mp4mux)
  gstreamer1.0-plugins-ugly       # x264enc
  libx264-164
  libglib2.0-0 libffi8 libpcre2-8-0 zlib1g
  libmount1 libblkid1 libselinux1  # gio (our plugin links it)
  liborc-0.4-0
  libunwind8 libdw1 libelf1 liblzma5 libbz2-1.0
)
# Only these plugins are kept (lib/gstreamer-1.0/libgstNAME.so).
gst_plugins=(coreelements videotestsrc videoconvertscale compositor imagefreeze isomp4 x264)
# The loaders for bench/gpu.sh to unpack into / on the device machine (its documentation names these).
gl_packages=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
# Libraries the target has: glibc's, the C++ runtime, and what the GPU driver / loaders bring.
base_libs='^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|/lib64/ld-linux-x86-64\.so\.2|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libresolv\.so\.2|libstdc\+\+\.so\.6|libgcc_s\.so\.1)$'

# apt-get download for amd64; on a host of another architecture, amd64 package lists of their own.
apt_opts=(-o APT::Sandbox::User=root)
if [ "$(dpkg --print-architecture)" != amd64 ]; then
  mkdir -p /tmp/gpu-bundle-amd64-lists/partial
  apt_opts+=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpu-bundle-amd64-lists)
  apt-get "${apt_opts[@]}" update >/dev/null
fi
# download DIR PACKAGE...: fetches those not already in DIR (apt-get update once if one is unknown).
download() {
  local dir=$1 p missing=(); shift
  mkdir -p "$dir"
  for p in "$@"; do compgen -G "$dir/${p}_*.deb" >/dev/null || missing+=("$p:amd64"); done
  [ ${#missing[@]} -eq 0 ] && return
  say "downloading ${missing[*]} into ${dir#"$root"/}"
  if ! (cd "$dir" && apt-get "${apt_opts[@]}" download "${missing[@]}" >/dev/null); then
    say "apt-get download failed; running apt-get update once and retrying"
    apt-get "${apt_opts[@]}" update >/dev/null || die "apt-get update failed (run as root?)"
    (cd "$dir" && apt-get "${apt_opts[@]}" download "${missing[@]}" >/dev/null) || die "apt-get download ${missing[*]} failed"
  fi
}

# 1. The plugin, release build, stripped.
so=$target/release/libgstparallelcompositor.so
if [ "${NO_BUILD:-0}" != 1 ]; then
  say "building the release plugin (cargo build --release, target $target)"
  CARGO_TARGET_DIR=$target cargo build --release --quiet || die "cargo build --release failed"
fi
[ -f "$so" ] || die "$so is missing: run without NO_BUILD=1"

# 2. The packages.
download "$debs" "${gst_packages[@]}"
download "$gl" "${gl_packages[@]}"

# 3. Unpack into a staging folder, assemble the prefix: bin/, lib/ (flat), lib/gstreamer-1.0/, libexec/, plugin/.
stage=$(mktemp -d /tmp/gpu-bundle-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
for p in "${gst_packages[@]}"; do dpkg -x "$(compgen -G "$debs/${p}_*.deb" | head -1)" "$stage"; done
rm -rf "$prefix"
mkdir -p "$prefix/bin" "$prefix/lib/gstreamer-1.0" "$prefix/libexec" "$prefix/plugin"
cp "$stage/usr/bin/gst-launch-1.0" "$stage/usr/bin/gst-inspect-1.0" "$prefix/bin/"
cp "$stage/usr/lib/$triplet/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner" "$prefix/libexec/"
for p in "${gst_plugins[@]}"; do
  f=$stage/usr/lib/$triplet/gstreamer-1.0/libgst$p.so
  [ -f "$f" ] || die "plugin $p is in none of the packages (${f#"$stage"/})"
  cp "$f" "$prefix/lib/gstreamer-1.0/"
done
strip --strip-unneeded -o "$prefix/plugin/libgstparallelcompositor.so" "$so"

# The libraries: the closure of what the programs and plugins link, resolved against the staged packages,
# copied under their sonames.
stage_path=$stage/usr/lib/$triplet:$stage/lib/$triplet
elves() { find "$prefix" -type f \( -name '*.so*' -o -path '*/bin/*' -o -path '*/libexec/*' \); }
while :; do
  added=0
  while read -r name path; do
    case $path in "$stage"/*) ;; *) continue ;; esac
    [ -e "$prefix/lib/$name" ] && continue
    cp -L "$path" "$prefix/lib/$name"; added=1
  done < <(elves | while read -r f; do LD_LIBRARY_PATH=$stage_path:$prefix/lib ldd "$f" 2>/dev/null; done |
           awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u)
  [ $added = 0 ] && break
done
# Nothing may resolve outside the prefix but the base system's libraries.
outside=$(elves | while read -r f; do LD_LIBRARY_PATH=$prefix/lib ldd "$f" 2>/dev/null | sed "s|^|${f#"$prefix"/}: |"; done |
  awk '{lib=$2; path=($3=="=>" ? $4 : $2)} index(path, P) != 1 {print $1, lib, ($3=="=>" ? $4 : "")}' P="$prefix/lib/" |
  awk '{print $2}' | grep -v -E "$base_libs" | sort -u || true)
[ -z "$outside" ] || die "bundled programs link libraries the bundle lacks (add their packages): $(echo $outside)"
glibc=$(elves | xargs objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)

# The manifest: package versions, and what bench/gpu.sh needs to know.
{
  echo "# bundle made $(date -u +%FT%TZ) by scripts/gpu-bundle.sh, commit $(git rev-parse --short HEAD)"
  echo "# newest glibc symbol needed: $glibc"
  for d in "$debs" "$gl"; do for f in "$d"/*.deb; do dpkg-deb -W --showformat='${Package} ${Version}\n' "$f"; done; done
} >"$prefix/MANIFEST"

# 4. Sizes: the working tree that travels + prefix + loaders must fit the 64 MiB carry limit.
kib() { du -sk "$@" | awk '{s += $1} END {print s}'; }
tree_kib=$(git ls-files -z -co --exclude-standard | xargs -0 du -ck 2>/dev/null | tail -1 | cut -f1)
prefix_kib=$(kib "$prefix"); gl_kib=$(kib "$gl")
total_kib=$((tree_kib + prefix_kib + gl_kib))
say "bundle: .gpu-bundle/prefix $((prefix_kib / 1024)).$((prefix_kib % 1024 * 10 / 1024)) MiB" \
  "(plugin $(($(kib "$prefix/plugin") / 1024)) MiB, $(ls "$prefix/lib/gstreamer-1.0" | wc -l) GStreamer plugins," \
  "$(ls "$prefix/lib" | grep -c '\.so') libraries), .gl $((gl_kib / 1024)).$((gl_kib % 1024 * 10 / 1024)) MiB," \
  "working tree $((tree_kib / 1024)) MiB: $((total_kib / 1024)).$((total_kib % 1024 * 10 / 1024)) MiB of $limit_mib MiB carried;" \
  "glibc $glibc or newer needed"
[ "$total_kib" -le $((limit_mib * 1024)) ] || die "the carried total exceeds $limit_mib MiB"

# 5. Check: the bundled GStreamer in an empty environment finds exactly the bundled plugins.
if [ "${CHECK:-1}" = 1 ]; then
  reg=$stage/registry.bin
  plugins=$(env -i HOME="$stage" PATH=/usr/bin:/bin LD_LIBRARY_PATH="$prefix/lib" GST_REGISTRY="$reg" \
    GST_PLUGIN_SYSTEM_PATH_1_0="$prefix/lib/gstreamer-1.0" GST_PLUGIN_SCANNER="$prefix/libexec/gst-plugin-scanner" \
    GST_PLUGIN_PATH="$prefix/plugin" "$prefix/bin/gst-inspect-1.0" 2>&1) || die "the bundled gst-inspect-1.0 failed: $plugins"
  # Each plugin registers under its file's name; staticelements (bin, pipeline) is built into the core.
  want=$(printf '%s\n' "${gst_plugins[@]}" parallelcompositor staticelements | sort)
  got=$(awk -F: '/^[a-z0-9]+:/ {print $1}' <<<"$plugins" | sort -u)
  [ "$got" = "$want" ] || die "the bundled gst-inspect-1.0 lists plugins $(echo $got), expected $(echo $want)"
  say "checked: in an empty environment the bundled gst-inspect-1.0 lists exactly $(echo $got)"
  # What a running export maps from outside the prefix: the base system and the GPU stack only.
  env -i HOME="$stage" PATH=/usr/bin:/bin LD_LIBRARY_PATH="$prefix/lib" GST_REGISTRY="$reg" \
    GST_PLUGIN_SYSTEM_PATH_1_0="$prefix/lib/gstreamer-1.0" GST_PLUGIN_SCANNER="$prefix/libexec/gst-plugin-scanner" \
    GST_PLUGIN_PATH="$prefix/plugin" "$prefix/bin/gst-launch-1.0" -q parallelcompositor name=pc adapter=software \
    ! video/x-raw,format=I420,width=320,height=240 ! x264enc speed-preset=ultrafast ! mp4mux ! fakesink \
    videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=320,height=240 ! imagefreeze ! pc.sink_0 \
    >"$stage/launch.log" 2>&1 &
  pid=$!
  sleep 4
  maps=$(awk '$6 ~ /\.so/ {print $6}' "/proc/$pid/maps" 2>/dev/null | sort -u || true)
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  [ -n "$maps" ] || die "the bundled gst-launch-1.0 did not run: $(head -c 600 "$stage/launch.log")"
  system=$(grep -v "^$prefix/" <<<"$maps" | xargs -n1 basename | sort -u)
  stem() { sed 's/\.so.*//' | sort -u; }
  dup=$(comm -12 <(stem <<<"$system") <(ls "$prefix/lib" | stem) || true)
  [ -z "$dup" ] || die "a running export loads the system's copy of bundled libraries: $(echo $dup)"
  say "checked: a running export (lavapipe, x264enc, mp4mux) maps $(grep -c "^$prefix/" <<<"$maps") libraries" \
    "from the prefix and from the system only: $(echo $system)"
fi
say "done. Here: bash bench/gpu.sh (FRAMES=30 SIZE=640x360 for a quick lavapipe run)."
say "On the device machine: run with carry [\".gpu-bundle/prefix\", \".gl\"] and command 'bash bench/gpu.sh'."
