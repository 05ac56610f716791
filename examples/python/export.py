#!/usr/bin/python3
"""An export with `parallelcompositor` from a Python (PyGObject) application.

Two `videotestsrc` inputs: sink_0 fills the frame, sink_1 is a card with rounded corners and a
shadow whose `zoom` is animated with GstController. The result is encoded with x264enc into an MP4.
Progress comes from position/duration queries; an error on the bus ends the program with exit
status 1 and the error's message.

    GST_PLUGIN_PATH=target/release /usr/bin/python3 examples/python/export.py out.mp4
    /usr/bin/python3 examples/python/export.py --plugin-dir target/release out.mp4

Finding the plugin: installed system-wide it is found like any plugin; else GST_PLUGIN_PATH names
the build folder, or --plugin-dir DIR scans DIR from the program (Gst.Registry.get().scan_path).

Needs Debian's python3-gi, gir1.2-gstreamer-1.0 and gir1.2-gst-plugins-base-1.0, run with the
system Python (/usr/bin/python3). A venv sees them when made from it with --system-site-packages; a
pyenv Python never does: there, pip install 'PyGObject<3.51' (3.51+ needs GLib 2.80, Debian 12 has 2.74).
"""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstController", "1.0")
from gi.repository import Gst, GstController  # noqa: E402

WIDTH, HEIGHT, FPS = 320, 240, 30


def make(factory, **props):
    """Creates an element; a missing factory is an error naming the package to install."""
    element = Gst.ElementFactory.make(factory, None)
    if element is None:
        raise RuntimeError(f"no element '{factory}': is its plugin installed?")
    for name, value in props.items():
        element.set_property(name.replace("_", "-"), value)
    return element


def animate(pad, prop, points, mode=GstController.InterpolationMode.CUBIC_MONOTONIC):
    """Binds pad.prop to an interpolation control source through (seconds, value) points."""
    source = GstController.InterpolationControlSource.new()
    source.props.mode = mode
    for seconds, value in points:
        source.set(int(seconds * Gst.SECOND), value)
    binding = GstController.DirectControlBinding.new_absolute(pad, prop, source)
    if not pad.add_control_binding(binding):
        raise RuntimeError(f"could not bind {pad.get_name()}::{prop}")


def build(args):
    pipeline = Gst.Pipeline.new("export")
    comp = make("parallelcompositor", background="color", background_color=0xFF202020)
    caps = make("capsfilter", caps=Gst.Caps.from_string(
        f"video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate={FPS}/1"))
    enc = make("x264enc", speed_preset="ultrafast")
    mux = make("mp4mux")
    sink = make("filesink", location=args.output)
    for e in (comp, caps, enc, mux, sink):
        pipeline.add(e)
    chain = (comp, caps, enc, mux, sink)
    for a, b in zip(chain, chain[1:]):
        if not a.link(b):
            raise RuntimeError(f"could not link {a.get_name()} to {b.get_name()}")

    frames = int(args.seconds * FPS)
    pads = []
    for i, pattern in enumerate((args.background_pattern, args.card_pattern)):
        src = make("videotestsrc", num_buffers=frames, pattern=pattern)
        src_caps = make("capsfilter", caps=Gst.Caps.from_string(
            f"video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate={FPS}/1"))
        pipeline.add(src)
        pipeline.add(src_caps)
        if not src.link(src_caps):
            raise RuntimeError("could not link videotestsrc to its capsfilter")
        pad = comp.request_pad_simple("sink_%u")  # sink_0, sink_1
        if pad is None:
            raise RuntimeError("parallelcompositor gave no sink pad")
        if src_caps.get_static_pad("src").link(pad) != Gst.PadLinkReturn.OK:
            raise RuntimeError(f"could not link input {i} to {pad.get_name()}")
        pads.append(pad)

    # sink_0 covers the frame; sink_1 is a card over it, in the middle: half the size, rounded
    # corners, a thin border and a soft shadow.
    background, card = pads
    background.set_property("width", float(WIDTH))
    background.set_property("height", float(HEIGHT))
    card.set_property("xpos", WIDTH / 4)
    card.set_property("ypos", HEIGHT / 4)
    card.set_property("width", WIDTH / 2)
    card.set_property("height", HEIGHT / 2)
    card.set_property("corner-radius", 24.0)
    card.set_property("border-width", 1.0)
    card.set_property("shadow-blur", 6.0)
    card.set_property("shadow-offset-y", 4.0)
    card.set_property("zorder", 1)
    # Zoom into the card's upper left and back out, eased (monotonic cubic: no overshoot below 1).
    end = args.seconds
    animate(card, "zoom", [(0, 1.0), (end * 0.25, 1.0), (end * 0.5, 2.0), (end * 0.75, 2.0), (end, 1.0)])
    animate(card, "zoom-center-x", [(0, 0.3)], GstController.InterpolationMode.NONE)
    animate(card, "zoom-center-y", [(0, 0.3)], GstController.InterpolationMode.NONE)
    return pipeline


def run(pipeline, expected_seconds):
    """Plays to EOS, printing progress; returns an error message or None."""
    bus = pipeline.get_bus()
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        # The reason is on the bus.
        msg = bus.timed_pop_filtered(Gst.SECOND, Gst.MessageType.ERROR)
        return describe(msg) if msg else "the pipeline refused to start"
    last = -1
    while True:
        msg = bus.timed_pop_filtered(250 * Gst.MSECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg is None:
            ok, pos = pipeline.query_position(Gst.Format.TIME)
            ok_d, dur = pipeline.query_duration(Gst.Format.TIME)
            total = dur / Gst.SECOND if ok_d and dur > 0 else expected_seconds
            if ok and pos != last:
                last = pos
                done = pos / Gst.SECOND
                print(f"progress: {done:5.2f} / {total:.2f} s ({min(100, 100 * done / total):3.0f}%)",
                      flush=True)
            continue
        if msg.type == Gst.MessageType.ERROR:
            return describe(msg)
        return None  # EOS


def describe(msg):
    err, debug = msg.parse_error()
    return f"{err.message} (from {msg.src.get_name()})" + (f"\n  debug: {debug}" if debug else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="MP4 file to write")
    parser.add_argument("--plugin-dir", help="folder holding libgstparallelcompositor.so, scanned at start")
    parser.add_argument("--seconds", type=float, default=3.0, help="length (default 3)")
    parser.add_argument("--background-pattern", default="smpte", help="videotestsrc pattern of sink_0")
    parser.add_argument("--card-pattern", default="ball", help="videotestsrc pattern of sink_1 (the card)")
    args = parser.parse_args()

    Gst.init(None)
    if args.plugin_dir:
        # Loads the plugin from a folder without GST_PLUGIN_PATH or installing it.
        if not Gst.Registry.get().scan_path(args.plugin_dir) and \
                Gst.ElementFactory.find("parallelcompositor") is None:
            sys.exit(f"error: no GStreamer plugin found in {args.plugin_dir}")
    if Gst.ElementFactory.find("parallelcompositor") is None:
        sys.exit("error: element parallelcompositor not found: build the plugin (cargo build) and set "
                 "GST_PLUGIN_PATH to its folder (target/debug or target/release), pass --plugin-dir, "
                 "or install it system-wide")

    try:
        pipeline = build(args)
    except (RuntimeError, TypeError, ValueError) as e:
        sys.exit(f"error: {e}")
    error = run(pipeline, args.seconds)
    pipeline.set_state(Gst.State.NULL)
    if error:
        sys.exit(f"error: {error}")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
