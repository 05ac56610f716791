#!/usr/bin/env python3
"""Chunked export over Celery: plans the chunks of an export pipeline, fans them out to the workers
(a chord: every chunk, then the join), and checks the joined file's frame count.

    export CHUNKS_BROKER=redis://127.0.0.1:6379/0 GST_RENDER_RANGE=/path/to/gst-render-range
    celery -A tasks worker --concurrency 1        # on each machine, in this folder
    python3 driver.py --description-file export.txt --chunks 8 --workdir /shared/job1 --output /shared/out.mp4

The description is gst-launch-1.0's text ending in a muxer and a filesink (its location is replaced
per chunk). Paths in it, --workdir and --output must be the same for every worker (a shared volume).
Exit status: 0 done; 1 a chunk or the join failed; 2 bad arguments; 3 the broker is unreachable;
4 the joined file has other than the planned number of frames.
"""

import argparse
import os
import subprocess
import sys
import time

import plan as planning

SELF = "driver.py"


def leave(status):
    """Exits without the interpreter's teardown, where Celery's result objects would try to
    unsubscribe from Redis with the modules already gone and print tracebacks."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def fail(status, message):
    print(f"{SELF}: error: {message}", file=sys.stderr)
    leave(status)


def tool_output(tasks, args):
    code, out = 0, ""
    try:
        p = subprocess.run([tasks.TOOL, *args], capture_output=True, text=True)
        code, out = p.returncode, p.stdout
        err = p.stderr
    except FileNotFoundError:
        fail(2, f"{tasks.TOOL}: not found (set GST_RENDER_RANGE)")
    if code != 0:
        fail(1, f"{tasks.TOOL} {' '.join(args[:2])} ... exited with {code}: {err.strip()}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--description", help="the export pipeline (gst-launch-1.0 text)")
    what.add_argument("--description-file", help="a file holding it")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--chunks", type=int, help="number of chunks (default 4)")
    size.add_argument("--chunk-seconds", type=float, help="seconds of output per chunk")
    parser.add_argument("--frames", type=int, help="output frames of the whole export (default: asked "
                        "of gst-render-range --frame-count, from the pipeline's duration)")
    parser.add_argument("--workdir", required=True, help="shared folder for the chunks")
    parser.add_argument("--output", required=True, help="the joined file")
    parser.add_argument("--audio", help="audio rendered once over the whole timeline, muxed into the join")
    parser.add_argument("--broker", help="broker URL (default: CHUNKS_BROKER or redis://127.0.0.1:6379/0)")
    parser.add_argument("--chunk-timeout", type=float, default=0, help="seconds a chunk may take (0: no limit)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the whole export")
    args = parser.parse_args()

    if args.broker:
        os.environ["CHUNKS_BROKER"] = args.broker
    import tasks  # after CHUNKS_BROKER is set: the app reads it when imported
    from celery import chord
    from celery.exceptions import ChordError, TimeoutError as CeleryTimeout

    description = args.description
    if args.description_file:
        with open(args.description_file, encoding="utf-8") as f:
            description = " ".join(f.read().split())
    import shlex
    words = shlex.split(description)

    total, rate = args.frames, None
    if total is None or args.chunk_seconds:
        out = tool_output(tasks, ["--frame-count", *words]).split()
        total = total or int(out[0])
        rate = planning.parse_rate(out[1])
    try:
        if args.chunk_seconds:
            per = max(1, round(args.chunk_seconds * rate[0] / rate[1]))
            chunks = planning.plan(total, chunk_frames=per)
        else:
            chunks = planning.plan(total, chunks=args.chunks or 4)
    except ValueError as e:
        fail(2, str(e))
    os.makedirs(args.workdir, exist_ok=True)

    # Fail fast, with the reason, when the broker is not there (Celery would retry forever).
    try:
        with tasks.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=5)
    except Exception as e:  # noqa: BLE001 -- whatever kombu raises, the message is what matters
        fail(3, f"cannot reach the broker at {tasks.BROKER}: {e}")

    started = time.monotonic()
    print(f"{SELF}: {total} frames in {len(chunks)} chunks", file=sys.stderr)
    header = [tasks.render_chunk.s(description, i, first, end, planning.chunk_path(args.workdir, i),
                                   args.chunk_timeout)
              for i, (first, end) in enumerate(chunks)]
    result = chord(header)(tasks.join_chunks.s(args.output, args.audio))
    error = None
    try:
        joined = result.get(timeout=args.timeout, propagate=True)
    except ChordError as e:
        error = f"a chunk failed, so the export did: {e}"
    except tasks.ChunkFailed as e:
        error = str(e)
    except CeleryTimeout:
        error = f"the export did not finish within {args.timeout} s (are workers running?)"
    if error:
        fail(1, error)

    for c in joined["chunks"]:
        print(f"{SELF}: chunk {c['index']}: {c['frames']} frames in {c['seconds']:.2f} s on {c['worker']}",
              file=sys.stderr)
    import json
    probe = json.loads(tool_output(tasks, ["--probe", args.output]))
    if probe["frames"] != total:
        fail(4, f"{args.output} has {probe['frames']} frames, the export {total}")
    print(f"{SELF}: {args.output}: {total} frames, joined in {joined['seconds']:.2f} s, "
          f"{time.monotonic() - started:.2f} s in all", file=sys.stderr)
    leave(0)


if __name__ == "__main__":
    main()
