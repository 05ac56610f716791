#!/usr/bin/python3
"""Runs the embedding examples (examples/python/*.py, examples/c/export.c) and checks their output.

    /usr/bin/python3 tests/examples.py --plugin-dir target/debug    # after cargo build
    /usr/bin/python3 tests/examples.py --from-cargo-test            # what cargo test built

`make test` runs it after the cargo tests, with --from-cargo-test. Plain asserts, no pytest. Each check prints PASS or FAIL;
the last line is `N passed, N failed` and the exit status is 1 when a check failed.

The examples run as child processes under G_DEBUG=fatal_warnings, with a private GStreamer registry
(GST_REGISTRY in a temporary folder; the user's cache is not touched), so that loading the plugin
through GST_PLUGIN_PATH and through --plugin-dir (Gst.Registry.scan_path) are each really tested.

Needs the system Python with python3-gi, gir1.2-gstreamer-1.0, gir1.2-gst-plugins-base-1.0, a C
compiler, pkg-config and libgstreamer1.0-dev (scripts/deps.sh test installs them).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPORT_PY = os.path.join(ROOT, "examples", "python", "export.py")
BRANCHES_PY = os.path.join(ROOT, "examples", "python", "parallel_branches.py")
EXPORT_C = os.path.join(ROOT, "examples", "c", "export.c")
FPS = 30
TIMEOUT = 60

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstApp", "1.0")
    from gi.repository import Gst
except (ImportError, ValueError) as e:
    sys.exit(f"error: {e}: run with the system Python (/usr/bin/python3) and install python3-gi, "
             f"gir1.2-gstreamer-1.0 and gir1.2-gst-plugins-base-1.0 (scripts/deps.sh test)")


class Env:
    """Paths shared by the checks: the plugin folder, a scratch folder, registries."""

    def __init__(self, plugin_dir, tmp):
        self.plugin_dir = plugin_dir
        self.tmp = tmp
        # Registry of the system plugins alone, built once; each check copies it so that no check
        # sees what another one registered.
        self.system_registry = os.path.join(tmp, "registry-system.bin")
        self.c_export = os.path.join(tmp, "export-c")
        self.count = 0

    def registry(self):
        self.count += 1
        path = os.path.join(self.tmp, f"registry-{self.count}.bin")
        shutil.copyfile(self.system_registry, path)
        return path

    def out(self, name):
        return os.path.join(self.tmp, name)


def child_env(registry, plugin_path=None):
    env = dict(os.environ)
    env.pop("GST_PLUGIN_PATH", None)
    env.pop("GST_PLUGIN_PATH_1_0", None)
    if plugin_path:
        env["GST_PLUGIN_PATH"] = plugin_path
    env["GST_REGISTRY"] = registry
    env["G_DEBUG"] = "fatal_warnings"
    env.setdefault("LC_ALL", "C")
    return env


def run(cmd, env):
    """Runs a child process; returns (exit status, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{' '.join(cmd)} ran over {TIMEOUT} s")
    return p.returncode, p.stdout, p.stderr


def run_ok(cmd, env):
    rc, out, err = run(cmd, env)
    assert rc == 0, f"{' '.join(cmd)} exited with {rc}\n--- stdout\n{out[-2000:]}\n--- stderr\n{err[-2000:]}"
    return out


def decode(path, which=None):
    """Decodes a video file to RGB: returns (frame count, width, height, middle frame's bytes), or
    with which=(indices) the bytes of those frames (negative: from the end)."""
    assert os.path.getsize(path) > 0, f"{path} is empty"
    pipeline = Gst.parse_launch(
        f'filesrc location="{path}" ! decodebin ! videoconvert ! video/x-raw,format=RGB '
        "! appsink name=sink sync=false")
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    frames = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        s = sample.get_caps().get_structure(0)
        buf = sample.get_buffer()
        frames.append((s.get_value("width"), s.get_value("height"), buf))
    msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if msg:
        err, debug = msg.parse_error()
        raise AssertionError(f"decoding {path}: {err.message} ({debug})")
    assert frames, f"{path}: no frames decoded"
    if which is not None:
        return len(frames), frames[0][0], frames[0][1], [
            frames[i][2].extract_dup(0, frames[i][2].get_size()) for i in which]
    width, height, buf = frames[len(frames) // 2]
    return len(frames), width, height, buf.extract_dup(0, buf.get_size())


def pixel(data, width, x, y):
    stride = (width * 3 + 3) // 4 * 4  # GStreamer's RGB rows are 4-byte aligned
    i = y * stride + x * 3
    return tuple(data[i:i + 3])


def check_export_output(path, seconds):
    """The export layout (examples/*/export*): a 320x240 frame, sink_0 (pattern blue) covering it,
    sink_1 (pattern red) a card at (80, 60) of 160x120 with a corner radius of 24 and a shadow."""
    count, width, height, frame = decode(path)
    assert (width, height) == (320, 240), f"{width}x{height}, expected 320x240"
    expected = round(seconds * FPS)
    assert count == expected, f"{count} frames decoded, expected {expected}"

    def red(p):
        return p[0] > 180 and p[1] < 70 and p[2] < 70

    def blue(p):
        return p[2] > 180 and p[0] < 70 and p[1] < 70

    for what, (x, y), test in [
        ("card centre", (160, 120), red),
        ("inside the card, near its right edge", (232, 120), red),
        ("background, top-left corner", (8, 8), blue),
        ("background, right of the card", (300, 120), blue),
        # Inside the card's rectangle but outside its rounded corner: the background shows.
        ("card's rounded-off top-left corner", (82, 62), blue),
    ]:
        p = pixel(frame, width, x, y)
        assert test(p), f"{what} ({x}, {y}) of the middle frame is RGB {p}, expected {test.__name__}"
    # The soft shadow (offset 4 px down, blur 6) darkens the background just below the card.
    below, plain = pixel(frame, width, 160, 186), pixel(frame, width, 160, 230)
    assert blue(plain) and 60 < below[2] < plain[2] - 15, \
        f"no shadow below the card: RGB {below} at (160, 186), background {plain}"


def check_zoom_animates(path):
    """A checkerboard card (pattern checkers-8: 8 px squares, 4 px on the half-size card): the zoom
    animated by GstController is 1 at the start, 2 in the middle and back near 1 at the end of the 2 s
    export, so the squares inside the card are twice as wide in the middle frame: half as many
    light/dark edges along a row."""
    count, width, _, frames = decode(path, (0, 30, -1))
    assert count == 60, f"{count} frames decoded, expected 60"

    def edges(frame):
        total = 0
        for y in range(80, 160, 4):
            row = [pixel(frame, width, x, y)[0] > 128 for x in range(100, 220)]
            total += sum(1 for a, b in zip(row, row[1:]) if a != b)
        return total / 20

    first, middle, last = (edges(f) for f in frames)
    assert first > 20, f"no checkerboard in the card at the start: {first:.1f} edges per row"
    assert middle < 0.65 * first and last > 0.85 * first, \
        f"edges per row at zoom 1, 2, ~1: {first:.1f}, {middle:.1f}, {last:.1f}; expected about 30, 15, 30"


def progress_lines(out):
    lines = [line for line in out.splitlines() if line.startswith("progress:")]
    assert lines, f"no progress line in the output:\n{out[-2000:]}"
    return lines


# --- the checks ---

def python_export(env):
    path = env.out("py.mp4")
    out = run_ok([sys.executable, EXPORT_PY, "--seconds", "2", "--background-pattern", "blue",
                  "--card-pattern", "red", path], child_env(env.registry(), env.plugin_dir))
    progress_lines(out)
    assert f"wrote {path}" in out, out
    check_export_output(path, 2)


def python_export_zoom(env):
    path = env.out("py-zoom.mp4")
    run_ok([sys.executable, EXPORT_PY, "--seconds", "2", "--background-pattern", "blue",
            "--card-pattern", "checkers-8", path], child_env(env.registry(), env.plugin_dir))
    check_zoom_animates(path)


def python_export_plugin_dir(env):
    """--plugin-dir: Gst.Registry.get().scan_path(), no GST_PLUGIN_PATH."""
    path = env.out("py-dir.mp4")
    run_ok([sys.executable, EXPORT_PY, "--plugin-dir", env.plugin_dir, "--seconds", "1",
            "--background-pattern", "blue", "--card-pattern", "red", path], child_env(env.registry()))
    check_export_output(path, 1)


def python_export_without_plugin(env):
    rc, out, err = run([sys.executable, EXPORT_PY, env.out("none.mp4")], child_env(env.registry()))
    assert rc == 1, f"exit status {rc}, expected 1\n{err}"
    assert "parallelcompositor not found" in err and "GST_PLUGIN_PATH" in err, err


def python_export_bus_error(env):
    path = os.path.join(env.tmp, "no-such-folder", "x.mp4")
    rc, out, err = run([sys.executable, EXPORT_PY, "--seconds", "1", path],
                       child_env(env.registry(), env.plugin_dir))
    assert rc == 1, f"exit status {rc}, expected 1\n{err}"
    assert err.startswith("error: ") and path in err, f"stderr does not name the error:\n{err}"
    assert "Traceback" not in err, err


def python_parallel_branches(env):
    for args, registry in [(["--frames", "60"], child_env(env.registry(), env.plugin_dir)),
                           (["--frames", "40", "--plugin-dir", env.plugin_dir], child_env(env.registry()))]:
        out = run_ok([sys.executable, BRANCHES_PY] + args, registry)
        frames = args[1]
        assert f"frames={frames} expected={frames} out-of-order=0" in out, out
        stats = dict(re.findall(r"(\w+)=(\d+)", out.splitlines()[0]))
        assert stats.get("in") == frames and stats.get("out") == frames, out
        # The slow branch really made frames arrive out of order, so the order check means something.
        assert int(stats.get("reordered", 0)) > 0, f"nothing was reordered:\n{out}"
        assert stats.get("missing") == "0" and stats.get("late") == "0", out


def c_compiles(env):
    cc = os.environ.get("CC", "cc")
    try:
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "gstreamer-1.0", "gstreamer-controller-1.0"],
                               capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError) as e:
        raise AssertionError(f"pkg-config gstreamer-1.0 gstreamer-controller-1.0 failed "
                             f"(install pkg-config and libgstreamer1.0-dev): {e}")
    cmd = [cc, "-Wall", "-Wextra", "-Werror", "-O1", "-o", env.c_export, EXPORT_C] + flags
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 0, f"{' '.join(cmd)}\n{p.stderr}"


def compiled(env):
    if not os.path.exists(env.c_export):
        c_compiles(env)


def c_export(env):
    compiled(env)
    path = env.out("c.mp4")
    out = run_ok([env.c_export, "--seconds", "2", "--background-pattern", "blue", "--card-pattern", "red", path],
                 child_env(env.registry(), env.plugin_dir))
    progress_lines(out)
    assert f"wrote {path}" in out, out
    check_export_output(path, 2)


def c_export_zoom(env):
    compiled(env)
    path = env.out("c-zoom.mp4")
    run_ok([env.c_export, "--seconds", "2", "--background-pattern", "blue", "--card-pattern", "checkers-8", path],
           child_env(env.registry(), env.plugin_dir))
    check_zoom_animates(path)


def c_export_plugin_dir(env):
    compiled(env)
    path = env.out("c-dir.mp4")
    run_ok([env.c_export, "--plugin-dir", env.plugin_dir, "--seconds", "1", "--background-pattern", "blue",
            "--card-pattern", "red", path], child_env(env.registry()))
    check_export_output(path, 1)


def c_export_errors(env):
    compiled(env)
    path = os.path.join(env.tmp, "no-such-folder", "x.mp4")
    rc, out, err = run([env.c_export, "--seconds", "1", path], child_env(env.registry(), env.plugin_dir))
    assert rc == 1, f"bus error: exit status {rc}, expected 1\n{err}"
    assert err.startswith("error: ") and path in err, f"stderr does not name the error:\n{err}"
    rc, out, err = run([env.c_export, env.out("none.mp4")], child_env(env.registry()))
    assert rc == 1 and "parallelcompositor not found" in err, f"no plugin: exit status {rc}\n{err}"
    rc, out, err = run([env.c_export], child_env(env.registry(), env.plugin_dir))
    assert rc == 1 and "usage:" in err, f"no argument: exit status {rc}\n{err}"


CHECKS = [python_export, python_export_zoom, python_export_plugin_dir, python_export_without_plugin, python_export_bus_error,
          python_parallel_branches, c_compiles, c_export, c_export_zoom, c_export_plugin_dir, c_export_errors]


def plugin_from_cargo_test(folder):
    """The plugin `cargo test --all-targets` built, hard-linked (else copied) into folder.

    cargo test leaves the cdylib in target/debug/deps (with the dev-dependencies' features, so
    `cargo build` would compile wgpu and GStreamer's bindings again); cargo names it in its JSON
    messages. deps/ itself holds every dependency: scanning it for plugins would load them all."""
    cargo = os.environ.get("CARGO", "cargo")
    cmd = [cargo, "test", "--all-targets", "--no-run", "--message-format=json"]
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    except OSError as e:
        sys.exit(f"error: {' '.join(cmd)}: {e}")
    if p.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} exited with {p.returncode}")
    found = None
    for line in p.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "gstparallelcompositor" \
                and not msg["profile"]["test"]:
            found = next((f for f in msg["filenames"] if f.endswith(".so")), found)
    if not found:
        sys.exit(f"error: {' '.join(cmd)} named no libgstparallelcompositor.so")
    os.makedirs(folder)
    dest = os.path.join(folder, "libgstparallelcompositor.so")
    try:
        os.link(found, dest)
    except OSError:
        shutil.copyfile(found, dest)
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plugin-dir", default=(os.environ.get("GST_PLUGIN_PATH") or "").split(":")[0],
                        help="folder holding libgstparallelcompositor.so (default: GST_PLUGIN_PATH's first)")
    parser.add_argument("--from-cargo-test", action="store_true",
                        help="test the plugin `cargo test --all-targets` built (make test does)")
    parser.add_argument("-k", help="run only the checks whose name contains this")
    args = parser.parse_args()

    Gst.init(None)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="pc-examples-") as tmp:
        if args.from_cargo_test:
            plugin_dir = plugin_from_cargo_test(os.path.join(tmp, "plugin"))
        else:
            plugin_dir = os.path.abspath(args.plugin_dir) if args.plugin_dir else ""
        if not plugin_dir or not os.path.isfile(os.path.join(plugin_dir, "libgstparallelcompositor.so")):
            sys.exit(f"error: no libgstparallelcompositor.so in '{plugin_dir}': build the plugin (cargo build) "
                     "and pass its folder with --plugin-dir or GST_PLUGIN_PATH, or use --from-cargo-test")
        print(f"plugin: {os.path.join(plugin_dir, 'libgstparallelcompositor.so')}", flush=True)
        env = Env(plugin_dir, tmp)
        start = time.monotonic()
        # The system plugins' registry, without ours (a plugin installed system-wide would be in it).
        run_ok([sys.executable, "-c", "import gi; gi.require_version('Gst', '1.0'); "
                "from gi.repository import Gst; Gst.init(None)"], child_env(env.system_registry))
        for check in CHECKS:
            if args.k and args.k not in check.__name__:
                continue
            t = time.monotonic()
            try:
                check(env)
                passed += 1
                print(f"PASS {check.__name__} ({time.monotonic() - t:.1f} s)", flush=True)
            except Exception as e:  # noqa: BLE001 -- every failure is reported, none stops the rest
                failed += 1
                detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
                print(f"FAIL {check.__name__} ({time.monotonic() - t:.1f} s): {detail}", flush=True)
    print(f"examples: {time.monotonic() - start:.1f} s (after finding the plugin)")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
