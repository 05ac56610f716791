#!/usr/bin/env python3
"""One pod of a Kubernetes Indexed Job (k8s-indexed-job.yaml): renders chunk JOB_COMPLETION_INDEX of
CHUNKS over FRAMES frames of the description in DESCRIPTION_FILE into WORKDIR; with --join, joins
them into OUTPUT. The same planning as the Celery driver (plan.py); Kubernetes retries a failed pod
(backoffLimitPerIndex), so no queue is needed.

    JOB_COMPLETION_INDEX=2 CHUNKS=8 FRAMES=9000 DESCRIPTION_FILE=/work/export.txt WORKDIR=/work/chunks \
        python3 k8s_chunk.py
    CHUNKS=8 WORKDIR=/work/chunks OUTPUT=/work/out.mp4 python3 k8s_chunk.py --join
"""

import os
import shlex
import subprocess
import sys

import plan as planning

TOOL = os.environ.get("GST_RENDER_RANGE", "gst-render-range")


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"k8s_chunk.py: {name} is not set")
    return value


def main():
    chunks, workdir = int(env("CHUNKS")), env("WORKDIR")
    if sys.argv[1:] == ["--join"]:
        files = [planning.chunk_path(workdir, i) for i in range(chunks)]
        audio = os.environ.get("AUDIO")
        args = [TOOL, "--join", env("OUTPUT")] + (["--audio", audio] if audio else []) + files
        sys.exit(subprocess.call(args))
    index = int(env("JOB_COMPLETION_INDEX"))
    ranges = planning.plan(int(env("FRAMES")), chunks=chunks)
    if index >= len(ranges):
        sys.exit(f"k8s_chunk.py: index {index} of {len(ranges)} chunks")
    first, end = ranges[index]
    with open(env("DESCRIPTION_FILE"), encoding="utf-8") as f:
        words = shlex.split(" ".join(f.read().split()))
    os.makedirs(workdir, exist_ok=True)
    output = planning.chunk_path(workdir, index)
    part = f"{output}.part"
    code = subprocess.call([TOOL, "--frames", f"{first}:{end}", "-o", part, *words])
    if code == 0:
        os.replace(part, output)
    sys.exit(code)


if __name__ == "__main__":
    main()
