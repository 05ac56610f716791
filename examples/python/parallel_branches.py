#!/usr/bin/python3
"""`framereorder` after parallel branches, from a Python (PyGObject) application.

    videotestsrc ! roundrobin ─┬─ queue ! videobalance ! identity (slow) ─┬─ framereorder ! appsink
                               └─ queue ! videobalance ──────────────────┘

roundrobin deals the frames out to two branches, each on its own thread (the queues); the first
branch is slower, so frames reach framereorder's request pads out of order. The appsink checks that
every frame comes out, in strictly increasing timestamp order, and the program prints framereorder's
statistics. Exit status 1 when a frame is missing or out of order, or on a bus error.

    GST_PLUGIN_PATH=target/release /usr/bin/python3 examples/python/parallel_branches.py
    /usr/bin/python3 examples/python/parallel_branches.py --plugin-dir target/release --frames 120

Plugin loading and the Python to use: see export.py.
"""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


def make(factory, **props):
    element = Gst.ElementFactory.make(factory, None)
    if element is None:
        raise RuntimeError(f"no element '{factory}': is its plugin installed?")
    for name, value in props.items():
        element.set_property(name.replace("_", "-"), value)
    return element


def link(*chain):
    for a, b in zip(chain, chain[1:]):
        if not a.link(b):
            raise RuntimeError(f"could not link {a.get_name()} to {b.get_name()}")


def build(frames, branches, delay_us):
    pipeline = Gst.Pipeline.new("parallel-branches")
    src = make("videotestsrc", num_buffers=frames, pattern="ball")
    caps = make("capsfilter", caps=Gst.Caps.from_string(
        "video/x-raw,format=AYUV,width=160,height=120,framerate=30/1"))
    rr = make("roundrobin")
    reorder = make("framereorder", name="reorder", max_frames=8)
    sink = make("appsink", name="sink", emit_signals=True, sync=False)
    for e in (src, caps, rr, reorder, sink):
        pipeline.add(e)
    link(src, caps, rr)
    link(reorder, sink)

    for i in range(branches):
        queue = make("queue", max_size_buffers=2)
        # A stock filter; the first branch also sleeps per frame, so the branches drift apart.
        balance = make("videobalance", saturation=0.5)
        slow = make("identity", sleep_time=delay_us if i == 0 else 0)
        for e in (queue, balance, slow):
            pipeline.add(e)
        link(queue, balance, slow)
        # roundrobin (1.22) needs the pad's name: asked for its template "src_%d" it warns.
        rr_pad = rr.request_pad_simple(f"src_{i}")
        fr_pad = reorder.request_pad_simple("sink_%u")
        if rr_pad is None or fr_pad is None:
            raise RuntimeError("roundrobin or framereorder gave no request pad")
        if rr_pad.link(queue.get_static_pad("sink")) != Gst.PadLinkReturn.OK or \
                slow.get_static_pad("src").link(fr_pad) != Gst.PadLinkReturn.OK:
            raise RuntimeError(f"could not link branch {i}")
    return pipeline, reorder, sink


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plugin-dir", help="folder holding libgstparallelcompositor.so, scanned at start")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--branches", type=int, default=2)
    parser.add_argument("--delay-us", type=int, default=3000, help="per-frame sleep of branch 0")
    args = parser.parse_args()

    Gst.init(None)
    if args.plugin_dir:
        Gst.Registry.get().scan_path(args.plugin_dir)
    if Gst.ElementFactory.find("framereorder") is None:
        sys.exit("error: element framereorder not found: build the plugin (cargo build) and set "
                 "GST_PLUGIN_PATH to its folder (target/debug or target/release), pass --plugin-dir, "
                 "or install it system-wide")
    if Gst.ElementFactory.find("roundrobin") is None:
        sys.exit("error: element roundrobin not found: install gstreamer1.0-plugins-bad")

    try:
        pipeline, reorder, sink = build(args.frames, args.branches, args.delay_us)
    except RuntimeError as e:
        sys.exit(f"error: {e}")

    timestamps = []

    def on_sample(appsink):
        sample = appsink.emit("pull-sample")
        timestamps.append(sample.get_buffer().pts)
        return Gst.FlowReturn.OK

    sink.connect("new-sample", on_sample)

    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    stats = reorder.get_property("stats")
    pipeline.set_state(Gst.State.NULL)
    if msg.type == Gst.MessageType.ERROR:
        err, debug = msg.parse_error()
        sys.exit(f"error: {err.message} (from {msg.src.get_name()})" + (f"\n  debug: {debug}" if debug else ""))

    stat = {k: stats.get_value(k) for k in ("in", "out", "reordered", "missing", "late", "duplicates")}
    print("framereorder stats: " + ", ".join(f"{k}={v}" for k, v in stat.items()))
    out_of_order = sum(1 for a, b in zip(timestamps, timestamps[1:]) if b <= a)
    print(f"frames={len(timestamps)} expected={args.frames} out-of-order={out_of_order}")
    if len(timestamps) != args.frames:
        sys.exit(f"error: {len(timestamps)} frames came out, {args.frames} went in")
    if out_of_order:
        sys.exit(f"error: {out_of_order} frames out of order after framereorder")
    print("all frames in order")


if __name__ == "__main__":
    main()
