#!/usr/bin/env bash
# Checks the system packages the build, the tests and the demo need (Debian 12 / Ubuntu).
# As root, installs what is missing; otherwise prints the exact command to run and fails.
# usage: scripts/deps.sh [build|test|demo|bench]
set -euo pipefail
what=${1:-test}

pkgs=(pkg-config gcc libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
      gstreamer1.0-plugins-ugly gstreamer1.0-libav mesa-vulkan-drivers libvulkan1)
case $what in
  build) ;;
  # The demo test checks the export's streams with ffprobe; the demo asks gst-discoverer for audio.
  # The embedding examples' checks (tests/examples.py): the system Python with PyGObject and the
  # GStreamer typelibs; the C example builds with gcc, pkg-config and libgstreamer1.0-dev (above).
  # Chunked export over Celery (tests/distributed.py): Debian's redis-server, a venv for the pinned
  # examples/distributed/requirements.txt (installed below). gstreamer1.0-x holds Pango's
  # timeoverlay/textoverlay, which the demo's clips and several tests draw with.
  test) pkgs+=(ffmpeg gstreamer1.0-x gstreamer1.0-plugins-base-apps python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
               redis-server python3-venv) ;;
  demo) pkgs+=(gstreamer1.0-x gstreamer1.0-plugins-base-apps) ;;
  bench) pkgs+=(ffmpeg) ;;
  meson) pkgs+=(meson ninja-build) ;;
  *) echo "usage: $0 [build|test|demo|bench|meson]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages. Run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The Celery example's Python packages, pinned, in a venv beside the checkout (VENV to change it);
# reinstalled when requirements.txt changes. No root needed; PyPI must be reachable the first time.
if [ "$what" = test ]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  venv=${VENV:-$root/.venv}
  req=$root/examples/distributed/requirements.txt
  if ! "$venv/bin/python" -c "import celery, redis" 2>/dev/null || ! cmp -s "$req" "$venv/.requirements"; then
    echo "Installing the Celery example's Python packages into $venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    cp "$req" "$venv/.requirements"
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "No Rust toolchain (cargo) found. Install it with rustup:" >&2
  echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --component rustfmt,clippy" >&2
  exit 1
fi
